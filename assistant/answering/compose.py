"""Extractive answer composition: pick the sentences that best answer the question, in order.

Every sentence is taken word for word from a retrieved passage, so the answer never states
anything its citation does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.answering.guard import looks_like_instruction
from assistant.answering.message import ASKS_TO_CHALLENGE
from assistant.answering.retrieval import Candidate
from assistant.config import Settings
from assistant.corpus.chunking import Chunk
from assistant.corpus.embeddings import SentenceVectors
from assistant.text import content_terms

SIMILARITY_WEIGHT = 0.7
COVERAGE_WEIGHT = 0.3
# Two sentences this similar say the same thing; the answer keeps only the first...
REDUNDANCY_LIMIT = 0.85
# ...unless the later one brings this many content words of its own: sentences built on one
# pattern ("A child qualifies ... if ...") sit close as vectors yet name different criteria
# (development halves: dev +0.4, dev2 +1.2 points).
NEW_TERMS_MIN = 3
# ...and so do two sentences sharing this share of all their content words,
WORD_OVERLAP_LIMIT = 0.5
# ...or stating the same figures ("6 weeks") with this share of their content words in common.
SAME_FIGURE_OVERLAP_LIMIT = 0.25
# Each further sentence loses this share of its similarity to those already chosen (measured on
# the development half: 66.1 -> 66.5 % of facts at the same length).
NOVELTY_WEIGHT = 0.2
# A sentence this similar to one the parent has just read (a follow-up) is not repeated.
ALREADY_READ_LIMIT = 0.8
_FIGURE = re.compile(
    r"\b(\d+(?:\.\d+)?)\s*(?:working |calendar |school )?(day|week|month|year|hour|mile)s?\b", re.I
)
# Passages scoring this far below the best are not drawn on.
PASSAGE_MARGIN = 0.3
MAX_PASSAGES = 6
# A sentence's score falls by this much per point its passage ranks below the best passage, so
# lower passages add a fact the best one lacks rather than restating it (measured on the
# development half: more facts per word than drawing on three passages evenly).
PASSAGE_WEIGHT = 1.0
# What kind of answer a question asks for, and the sentences that give that kind of answer:
# "how long ..." wants a time limit, "who do I ring ..." a contact, "how do I ..." a step.
ANSWER_TYPE_BONUS = 0.12


@dataclass(frozen=True)
class AnswerType:
    """A kind of answer: the questions that ask for it and the sentences that give it."""

    asks: re.Pattern[str]
    gives: re.Pattern[str]
    # A sentence matching this does not give it, even when it matches `gives`.
    unless: re.Pattern[str] | None = None

    def given_by(self, question: str, sentence: str) -> bool:
        """Whether the question asks for this kind of answer and the sentence gives it."""
        return bool(
            self.asks.search(question)
            and self.gives.search(sentence)
            and not (self.unless and self.unless.search(sentence))
        )


_TYPE_PATTERNS: tuple[tuple[re.Pattern[str], ...], ...] = (
    (
        re.compile(
            r"\b(?:how long|how many (?:days|weeks|months)|when (?:do|does|will|must|should)|"
            r"deadline|time ?limit|timescale|how soon|how quickly|by when|get back)\b",
            re.I,
        ),
        re.compile(
            r"\b\d+\s*(?:working |calendar |school )?(?:days?|weeks?|months?|years?)\b", re.I
        ),
    ),
    (
        re.compile(
            r"\b(?:who (?:do|should|can) (?:i|we)|contact|ring|phone|call|email|number|"
            r"get in touch|speak to|talk to)\b",
            re.I,
        ),
        re.compile(r"\b0\d{3,4}\s?\d{3}\s?\d{3,4}\b|@|\b[\w-]+\.(?:gov|co|org|nhs)\.uk\b", re.I),
    ),
    (
        re.compile(r"\b(?:how (?:do|can|should) (?:i|we)|how to|apply|ask for|request)\b", re.I),
        re.compile(
            r"\b(?:write|email|send|ask|apply|request|contact|fill in|form|portal|online)\b", re.I
        ),
    ),
    (
        re.compile(
            r"\b(?:can (?:they|the|i|we|a|he|she)|is (?:that|it|this) (?:allowed|legal|right|true)|"
            r"do (?:i|we) (?:need|have)|are they allowed|allowed to|have to|is that right)\b",
            re.I,
        ),
        re.compile(
            r"\b(?:must|cannot|can't|does not|do not|should|has to|have to|right to|"
            r"not allowed|unlawful|only)\b",
            re.I,
        ),
    ),
    (
        # "how long have I got to put the appeal in?" wants the parent's own time limit, not
        # the council's ("the council must respond within 30 working days").
        re.compile(
            r"\bhow long (?:have|do) (?:i|we) (?:got|have|get)\b|\b(?:my|our) deadline\b|"
            r"\b(?:too late|still in time) to\b|\bwhen (?:do|must|should) (?:i|we) "
            r"(?:appeal|lodge|send|register|put|complain|reply|respond)\b",
            re.I,
        ),
        re.compile(
            r"\b(?:parents?|famil(?:y|ies)|you|young (?:person|people)|deadline|time limit|"
            r"appeal|claim|complaint)\b[^.;]{0,100}?"
            r"\b(?:\d+|one|two|three|six)\s*(?:calendar |working )?(?:months?|weeks?|days?)\b",
            re.I,
        ),
        # ...but not what the council, school or tribunal must do by when.
        re.compile(
            r"\b(?:council|local authority|school|college|tribunal)\s+(?:must|has to|have to|"
            r"should|will|concedes|decides|has)\b",
            re.I,
        ),
    ),
    (
        # "what can I do if they refuse?" wants the route to challenge a decision.
        ASKS_TO_CHALLENGE,
        re.compile(
            r"\b(?:appeal|tribunal|mediation|complain\w*|disagreement resolution|"
            r"judicial review|ombudsman|review panel|governing (?:board|body)|governors)\b",
            re.I,
        ),
    ),
)
# Sentences saying what the guidance could not confirm never lead an answer.
_HEDGE = re.compile(
    r"\b(?:could not|couldn't|cannot|did not|were unable to) (?:confirm|find)\b"
    r"|\b(?:is|are) not confirmed here\b",
    re.I,
)
# A parent reads the answer on a phone: stop adding sentences past this many words.
MAX_ANSWER_WORDS = 110
# ...and never add a sentence that takes it more than this many words past that (development
# half: 151 -> 144 words read for 68.1 -> 67.7 % of facts; a long tail of long answers is the
# cost a phone reader notices most).
WORDS_OVER_LIMIT = 10


_ANSWER_TYPES = tuple(AnswerType(*patterns) for patterns in _TYPE_PATTERNS)


def answer_type_bonus(question: str, sentence: str) -> float:
    """A bonus for a sentence giving the kind of answer the question asks for."""
    return ANSWER_TYPE_BONUS * sum(kind.given_by(question, sentence) for kind in _ANSWER_TYPES)


# Sentences about children under five, and the words of a message about one: "councils should
# consider reviewing the plans of under-5s every 3 to 6 months" answered a Year 6 pupil's
# review question. Such a sentence is left out when the message is not about a young child (a
# smaller penalty, 0.15, still let it in; facts unchanged on the development halves).
_ABOUT_UNDER_FIVES = re.compile(
    r"\bunder[- ]?(?:fives?|5s?)\b|\bunder compulsory school age\b|\bfrom early years into\b",
    re.I,
)
_YOUNG_CHILD = re.compile(
    r"\b(?:nurser|pre-?school|pre school|early years|reception|under[- ]?(?:5|five)|toddler|"
    r"health visitor|childminder|portage|eyfs|baby|babies|school age|before (?:he|she|they) "
    r"starts?|start(?:s|ing)? school|funded hours|free hours|[0-4] ?y/?o\b|"
    r"(?:[0-4]|two|three|four)[- ]?(?:years?|yrs?)[- ]?old|"
    r"(?:is|aged?|turn(?:s|ed)?|only) (?:[0-4]|two|three|four)\b)",
    re.I,
)


# The same for young people over 16: "a young person aged 16 to 25 has the right to ask for an
# assessment" led the answer to a parent of a primary-school girl asking whether she can ask.
_ABOUT_OVER_SIXTEENS = re.compile(
    r"\b(?:young (?:person|people) (?:aged|over) (?:1[6-9]|2[0-5])|aged (?:over )?(?:1[6-9]|"
    r"2[0-5])(?: to 25)?|over (?:16|18|19)s?|(?:16|19) to 25|(?:16|19)-25|post-19|after (?:18|19))\b",
    re.I,
)
_OLDER_YOUNG_PERSON = re.compile(
    r"\b(?:1[6-9]|2[0-5]|sixteen|seventeen|eighteen|nineteen|twenty)\b|\byoung (?:person|people|"
    r"adult)|\b(?:college|sixth form|post-?1[69]|over 1[689]|adult|grown|universit|apprentic|"
    r"leav\w* school|left school|year 1[1-3]|y1[1-3]|himself|herself|themselves|my own|myself)",
    re.I,
)


def about_other_age_group(message: str, sentence: str) -> bool:
    """Whether the sentence is about under-fives (or over-16s) and the message is not about a
    young child (or a young person)."""
    under_fives = bool(_ABOUT_UNDER_FIVES.search(sentence)) and not _YOUNG_CHILD.search(message)
    over_sixteens = bool(_ABOUT_OVER_SIXTEENS.search(sentence)) and not (
        _OLDER_YOUNG_PERSON.search(message)
    )
    return under_fives or over_sixteens


# A sentence opening with a word that points back ("This is something the Code asks councils to
# consider") is quoted only after the sentence it points back to.
_OPENS_POINTING_BACK = re.compile(
    r"^(?:This|That|These|Those|They|Such)\b(?! (?:page|document|guide)\b)"
)


# Sentences describing the document itself ("This page explains ...") answer nothing.
_ABOUT_THE_PAGE = re.compile(
    r"^(?:This (?:page|document|guide|section|leaflet)\b"
    r"|The (?:page|document|guide|leaflet) (?:explains|covers|sets out|describes|lists|gives))",
    re.I,
)


@dataclass(frozen=True)
class DraftSentence:
    """A sentence chosen for the answer and the passage it came from."""

    text: str
    chunk: Chunk
    score: float
    position: int


def passage_sentences(chunk: Chunk) -> list[str]:
    """The sentences of a passage that can stand in an answer, paragraph by paragraph.

    Label lines ("Stands for: ...") are not sentences, and text addressed to an AI model
    (prompt injection in a document) is corpus data, never something to repeat.
    """
    return [
        sentence
        for sentence in chunk.sentences
        if re.search(r"[.!?)\"'”’]$", sentence)
        and not _ABOUT_THE_PAGE.match(sentence)
        and not looks_like_instruction(sentence)
    ]


def compose_answer(
    query: str,
    query_vector: np.ndarray,
    ranked: list[Candidate],
    vectors: SentenceVectors,
    settings: Settings,
    max_sentences: int | None = None,
    max_words: int = MAX_ANSWER_WORDS,
    already_read: np.ndarray | None = None,
) -> list[DraftSentence]:
    """Choose non-redundant sentences from the best passages, ordered to read well.

    Sentences are scored by similarity to the question, share of its words and whether they give
    the kind of answer it asks for; at most `max_sentences` (default from settings) and about
    `max_words` words. Sentences of one passage stay together and in the passage's order.
    `already_read` (n × 384 unit vectors) holds sentences the parent has just been shown; close
    paraphrases of them are left out.
    """
    if not ranked:
        return []
    limit = max_sentences or settings.max_answer_sentences
    best_score = ranked[0].score
    passages = [c for c in ranked if c.score >= best_score - PASSAGE_MARGIN][:MAX_PASSAGES]
    pool: list[tuple[str, Chunk, int, int]] = []
    passage_scores = [c.score for c in passages]
    for rank, candidate in enumerate(passages):
        for position, sentence in enumerate(passage_sentences(candidate.chunk)):
            if not about_other_age_group(query, sentence):
                pool.append((sentence, candidate.chunk, rank, position))
    if not pool:
        return []
    sentence_vectors = vectors.many([sentence for sentence, *_ in pool])
    similarities = sentence_vectors @ query_vector
    terms = set(content_terms(query))
    scores = []
    bonuses = []
    for (sentence, _chunk, rank, _position), similarity in zip(pool, similarities, strict=True):
        covered = set(content_terms(sentence)) & terms
        coverage = len(covered) / len(terms) if terms else 0.0
        bonus = answer_type_bonus(query, sentence)
        bonuses.append(bonus)
        scores.append(
            SIMILARITY_WEIGHT * float(similarity)
            + COVERAGE_WEIGHT * coverage
            + bonus
            + PASSAGE_WEIGHT * (passage_scores[rank] - best_score)
        )

    order = sorted(range(len(pool)), key=lambda i: scores[i], reverse=True)
    # The floor is set by relevance alone: a sentence lifted by the answer-type bonus ("how
    # often" → a figure) must not push every other relevant sentence below it.
    relevance = [score - bonus for score, bonus in zip(scores, bonuses, strict=True)]
    floor = max(relevance) * settings.sentence_relative_floor
    remaining = [i for i in order if relevance[i] >= floor or (bonuses[i] and scores[i] >= floor)]
    chosen: list[int] = []
    used_words = 0
    place = {(chunk.chunk_id, position): i for i, (_, chunk, _, position) in enumerate(pool)}
    # Sentences that point back, waiting for the sentence before them to be chosen first.
    waiting: dict[int | None, list[int]] = {}
    while remaining and len(chosen) < limit and used_words < max_words:
        index = _most_novel(remaining, chosen, scores, sentence_vectors)
        remaining.remove(index)
        sentence, chunk, _, position = pool[index]
        before = place.get((chunk.chunk_id, position - 1))
        if _OPENS_POINTING_BACK.match(sentence) and before not in chosen:
            waiting.setdefault(before, []).append(index)
            continue
        if any(_redundant(index, j, pool, sentence_vectors) for j in chosen):
            continue
        if (
            already_read is not None
            and len(already_read)
            and (float((already_read @ sentence_vectors[index]).max()) > ALREADY_READ_LIMIT)
        ):
            continue
        length = len(pool[index][0].split())
        if chosen and used_words + length > max_words + WORDS_OVER_LIMIT:
            continue  # a shorter sentence may still fit
        chosen.append(index)
        used_words += length
        remaining.extend(waiting.pop(index, []))

    # Read well: passages in the order of their best sentence, sentences in document order;
    # a sentence on what could not be confirmed goes last, never first, and so do those after
    # it in its passage, which say where to check instead ("Check the Local Offer ... for the
    # current pathway").
    first_seen: dict[str, int] = {}
    for index in chosen:
        first_seen.setdefault(pool[index][1].chunk_id, len(first_seen))

    def hedged(i: int) -> bool:
        chunk_id, position = pool[i][1].chunk_id, pool[i][3]
        earlier = (place.get((chunk_id, p)) for p in range(position + 1))
        return any(j is not None and _HEDGE.search(pool[j][0]) for j in earlier)

    chosen.sort(key=lambda i: (hedged(i), first_seen[pool[i][1].chunk_id], pool[i][3]))
    return [
        DraftSentence(text=pool[i][0], chunk=pool[i][1], score=scores[i], position=pool[i][3])
        for i in chosen
    ]


def _most_novel(
    remaining: list[int], chosen: list[int], scores: list[float], vectors: np.ndarray
) -> int:
    """The next sentence to consider: the best score, less a share of its similarity to the
    sentences already chosen (maximal marginal relevance), so each adds something new."""
    if not chosen:
        return remaining[0]
    closeness = (vectors[remaining] @ vectors[chosen].T).max(axis=1)
    adjusted = [
        scores[i] - NOVELTY_WEIGHT * float(c) for i, c in zip(remaining, closeness, strict=True)
    ]
    return remaining[int(np.argmax(adjusted))]


def _redundant(
    a: int, b: int, pool: list[tuple[str, Chunk, int, int]], vectors: np.ndarray
) -> bool:
    """Whether two candidate sentences say the same thing."""
    words_a, words_b = set(content_terms(pool[a][0])), set(content_terms(pool[b][0]))
    if float(vectors[a] @ vectors[b]) > REDUNDANCY_LIMIT and len(words_a - words_b) < NEW_TERMS_MIN:
        return True
    if not words_a or not words_b:
        return False
    # Shared words over all words (Jaccard), not over the shorter sentence: two sentences on
    # one topic share its words ("Aiming High", "short breaks") without saying the same thing.
    overlap = len(words_a & words_b) / len(words_a | words_b)
    figures_a = figures(pool[a][0])
    if figures_a and figures_a == figures(pool[b][0]) and overlap > SAME_FIGURE_OVERLAP_LIMIT:
        return True
    return overlap > WORD_OVERLAP_LIMIT


def figures(sentence: str) -> set[tuple[str, str]]:
    """The quantities a sentence states, normalised: "6 weeks" and "6-week" → ("6", "week")."""
    return {(n, unit.lower()) for n, unit in _FIGURE.findall(sentence.replace("-", " "))}
