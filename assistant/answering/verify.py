"""Citation check: every answer sentence must be supported by the passage it cites."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.answering.compose import DraftSentence
from assistant.text import content_terms, normalise_space

# A sentence is supported when this share of its content words is in the cited passage.
# Extractive sentences score 1.0; the threshold matters for any generative composer.
SUPPORT_THRESHOLD = 0.8


def support_score(sentence: str, passage: str) -> float:
    """Share of the sentence's content words found in the passage (1.0 if quoted verbatim)."""
    if normalise_space(sentence) in normalise_space(passage):
        return 1.0
    terms = set(content_terms(sentence))
    if not terms:
        return 0.0
    return len(terms & set(content_terms(passage))) / len(terms)


@dataclass(frozen=True)
class VerifiedDraft:
    """Sentences that passed the check, and any that were dropped."""

    kept: list[DraftSentence]
    dropped: list[DraftSentence]


def verify_citations(draft: list[DraftSentence]) -> VerifiedDraft:
    """Keep only sentences whose cited passage supports them."""
    kept: list[DraftSentence] = []
    dropped: list[DraftSentence] = []
    for sentence in draft:
        supported = support_score(sentence.text, sentence.chunk.body) >= SUPPORT_THRESHOLD
        (kept if supported else dropped).append(sentence)
    return VerifiedDraft(kept=kept, dropped=dropped)
