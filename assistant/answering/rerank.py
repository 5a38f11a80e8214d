"""Rerank retrieved chunks with evidence a bi-encoder alone misses: which question words they hold.

No cross-encoder ships its weights on PyPI (they download at run time, which is not allowed
here), so the reranker combines the embedding similarity with word coverage instead.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

import numpy as np

from assistant.answering.retrieval import Candidate
from assistant.corpus.index import ChunkStore
from assistant.text import content_terms

# Weights of the three signals; chosen on the evaluation set (python -m evals run).
SIMILARITY_WEIGHT = 0.65
COVERAGE_WEIGHT = 0.25
HEADING_WEIGHT = 0.10
# Glossary entries repeat facts with a less precise citation than the page that holds them,
# so they only lead when the parent asks what a word means.
GLOSSARY_PENALTY = 0.08
# Weight of the similarity to the nearest question a passage answers (multi-vector retrieval);
# 0.25 -> 0.35 took the development half from 67.7 to 68.1 % of facts: in a story, the parents'
# questions are often a better match for what is asked than the passage's own wording.
QUESTION_WEIGHT = 0.35
GLOSSARY_DOC_ID = "glossary"
# A page about one circumstance (its front matter's `asked_about` words: early years, medical
# conditions, home education, the White Paper) ranks this much lower when the message uses none
# of its words. Such pages otherwise answer questions not about them ("a child under compulsory
# school age can be assessed" for an 8-year-old; a medical-conditions sentence on transport).
# Development halves: dev +0.4, dev2 +1.2, dev4 +0.9 points of facts, dev3 hit@3 +5.3; 0.15
# measured the same.
CIRCUMSTANCE_PENALTY = 0.08


@lru_cache(maxsize=256)
def _circumstance(words: tuple[str, ...]) -> re.Pattern[str]:
    # Each word matches from the start of a word, so "diabet" finds "diabetes" and "diabetic".
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + ")", re.I)


def names_circumstance(asked_about: tuple[str, ...], text: str) -> bool:
    """Whether the text uses one of a page's `asked_about` words; True for a general page."""
    return not asked_about or bool(_circumstance(asked_about).search(text))


def term_coverage(query_terms: set[str], text: str) -> float:
    """Share of the question's content words that appear in the text."""
    if not query_terms:
        return 0.0
    return len(query_terms & set(content_terms(text))) / len(query_terms)


def rerank(
    candidates: list[Candidate],
    query: str,
    query_vector: np.ndarray,
    store: ChunkStore,
    asks_definition: bool = False,
) -> list[Candidate]:
    """Score each candidate and return them best first."""
    missing = [c.chunk.chunk_id for c in candidates if c.dense_rank is None]
    stored = store.vectors(missing)
    terms = set(content_terms(query))
    scored = []
    for candidate in candidates:
        similarity = candidate.similarity
        if candidate.dense_rank is None and candidate.chunk.chunk_id in stored:
            similarity = float(stored[candidate.chunk.chunk_id] @ query_vector)
        confidence = (
            SIMILARITY_WEIGHT * similarity
            + COVERAGE_WEIGHT * term_coverage(terms, candidate.chunk.indexed_text)
            + HEADING_WEIGHT * term_coverage(terms, candidate.chunk.context)
        )
        if candidate.chunk.doc_id == GLOSSARY_DOC_ID and not asks_definition:
            confidence -= GLOSSARY_PENALTY
        if not names_circumstance(candidate.chunk.asked_about, query):
            confidence -= CIRCUMSTANCE_PENALTY
        # A passage whose parents' questions match the message ranks higher, but only the
        # passage's own evidence says whether the guidance covers the question at all.
        score = confidence + QUESTION_WEIGHT * candidate.question_similarity
        scored.append(replace(candidate, similarity=similarity, score=score, confidence=confidence))
    scored.sort(key=lambda c: c.score, reverse=True)
    return scored
