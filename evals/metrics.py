"""Scoring functions for retrieval, answers, citations and behaviour (plain, documented maths)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

# A cited sentence counts as supported when this share of its content words is in the cited
# passage (assistant.answering.verify.support_score; verbatim quotes score 1.0).
SUPPORT_THRESHOLD = 0.8

KIND_TO_BEHAVIOUR = {
    "answered": "answer",
    "not_found": "decline",
    "out_of_scope": "decline",
    "safeguarding": "urgent_signpost",
}


def source_matches(ranked: str, expected: str) -> bool:
    """A ranked doc id (or URL) matches an expected doc id or URL."""
    return ranked == expected or ranked.rstrip("/") == expected.rstrip("/")


def first_relevant_rank(ranked: Sequence[str], expected: Sequence[str]) -> int | None:
    """1-based rank of the first relevant document, or None."""
    for rank, doc in enumerate(ranked, start=1):
        if any(source_matches(doc, e) for e in expected):
            return rank
    return None


def hit_at(ranked: Sequence[str], expected: Sequence[str], k: int) -> float:
    """1.0 if a relevant document is in the top k."""
    rank = first_relevant_rank(ranked, expected)
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(ranked: Sequence[str], expected: Sequence[str], k: int | None = None) -> float:
    """1 / rank of the first relevant document (0 if none, or none within k)."""
    rank = first_relevant_rank(ranked, expected)
    if rank is None or (k is not None and rank > k):
        return 0.0
    return 1.0 / rank


def ndcg_at(ranked: Sequence[str], gains: dict[str, float], k: int = 10) -> float:
    """nDCG@k with graded gains (binary when every gain is 1), log2 discount."""
    dcg = sum(
        gains.get(doc, 0.0) / math.log2(rank + 1) for rank, doc in enumerate(ranked[:k], start=1)
    )
    ideal = sorted(gains.values(), reverse=True)[:k]
    idcg = sum(gain / math.log2(rank + 1) for rank, gain in enumerate(ideal, start=1))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Share of relevant documents found in the top k."""
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else 0.0


def check_includes(text: str, checks: Sequence[Sequence[str]]) -> list[bool]:
    """For each check, whether any of its alternative regexes matches (case-insensitive)."""
    return [any(re.search(p, text, re.IGNORECASE) for p in check) for check in checks]


def forbidden_hits(text: str, patterns: Sequence[str]) -> list[str]:
    """The must_not_include patterns that match."""
    return [p for p in patterns if re.search(p, text, re.IGNORECASE)]


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def mean(values: Sequence[float]) -> float:
    """Arithmetic mean (0 for no values)."""
    return sum(values) / len(values) if values else 0.0
