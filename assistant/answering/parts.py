"""A message asking several things: one answer composed for the whole message, its sentences
shown under the part each answers, and a part left unanswered given its own search.

Why not search each part on its own: a part leans on the story for its topic ("who do I tell and
when?" after a story about moving house), and searching it alone found passages on other topics
("fall through the cracks" → the tribunal's August rule). Composing once for the whole message
and grouping the sentences took the third development half from 52.0 to 58.0 % of facts (dev
+0.4, dev2 +1.1 points), measured with `python -m evals run`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.answering.compose import DraftSentence
from assistant.text import content_terms

# A part whose closest sentence is less similar than this to the part's own words (cosine of
# MiniLM vectors) is not answered yet, and gets its own search (0.4: dev 74.4, dev2 81.0 %; 0.5:
# 75.2 and 82.1 %; dev3 58.0 % with either).
PART_ANSWERED_SIMILARITY = 0.5
# A sentence a part's own search adds must be at least this similar to the part's words: a
# sentence on another topic under the part's label reads as a wrong answer (0.3: the same facts
# on the development halves at 2 to 5 fewer words; 0.4: dev -0.4, dev3 -2.0 points).
PART_SENTENCE_MIN_SIMILARITY = 0.3
# A part with no sentence of its own may take one of the answer's sentences at least this
# similar to the part's own words. Lower than the bar above: the sentence already answers the
# message, only its label moves, and a part's words often lack the story's topic. Measured:
# "do we have to apply for a new one from scratch?" is 0.21 from "The family does not have to
# apply for a new EHC plan", "and if I do want it, how long before it happens?" 0.22 from
# mediation within 30 days; "what brand of weighted blanket is best?" only 0.10 from a
# sentence on asking for an assessment.
PART_CLAIM_MIN_SIMILARITY = 0.15
# A part with this few content words ("is that even legal?", "can they do that?", "how long?")
# asks about the story; its own words alone are close to nothing, so it is judged with the story.
STORY_PART_TERMS = 2


def leans_on_story(part: str) -> bool:
    """Whether a part of a message is too short to be judged by its own words."""
    return len(content_terms(part)) <= STORY_PART_TERMS


def group_by_part(
    draft: list[DraftSentence],
    sentence_vectors: np.ndarray,
    part_vectors: np.ndarray,
    own_vectors: np.ndarray,
) -> list[list[DraftSentence]]:
    """The draft's sentences grouped under the part each is closest to, in the draft's order;
    a part close to none of them first takes its closest from a part keeping another.

    `sentence_vectors` (len(draft) × 384), `part_vectors` (parts × 384: each part with some of
    the story, which carries its topic) and `own_vectors` (parts × 384: the parts' own words)
    are unit vectors; returns one list per part (possibly empty).
    """
    groups: list[list[DraftSentence]] = [[] for _ in range(len(part_vectors))]
    if not draft:
        return groups
    owner = [int(part) for part in (sentence_vectors @ part_vectors.T).argmax(axis=1)]
    similarity = sentence_vectors @ own_vectors.T
    # A part with no sentence of its own takes its closest sentence from a part that keeps
    # another, if close enough to show under its label: "and if I do want it, how long before
    # it happens?" is phrased like the part before it, and its answer (mediation within 30
    # days) would otherwise sit under the other label.
    for part in range(len(part_vectors)):
        if part in owner:
            continue
        movable = [
            sentence
            for sentence in range(len(draft))
            if owner.count(owner[sentence]) > 1
            and similarity[sentence, part] >= PART_CLAIM_MIN_SIMILARITY
        ]
        if movable:
            owner[max(movable, key=lambda sentence: similarity[sentence, part])] = part
    for sentence, part in zip(draft, owner, strict=True):
        groups[part].append(sentence)
    return groups


def unanswered(group_vectors: np.ndarray, part_vector: np.ndarray) -> bool:
    """Whether a part's sentences (n × 384 unit vectors, n may be 0) leave it unanswered: none
    of them is at least `PART_ANSWERED_SIMILARITY` similar to the part's own words."""
    return not len(group_vectors) or float((group_vectors @ part_vector).max()) < (
        PART_ANSWERED_SIMILARITY
    )


def on_part(sentence_vectors: np.ndarray, part_vector: np.ndarray) -> list[bool]:
    """For each sentence (n × 384 unit vectors), whether it is close enough to a part's words
    (`PART_SENTENCE_MIN_SIMILARITY`) to be shown under that part's label."""
    if not len(sentence_vectors):
        return []
    return [bool(s >= PART_SENTENCE_MIN_SIMILARITY) for s in sentence_vectors @ part_vector]


def parts_not_found(
    labels: Sequence[str], sections: Sequence[tuple[str, Sequence[object]]]
) -> list[str]:
    """The parts (as the parent wrote them, one per section) whose section has no sentence."""
    return [asked for asked, (_, sentences) in zip(labels, sections, strict=False) if not sentences]
