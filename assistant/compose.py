"""Extractive answer composition: pick the sentences that best answer the question, in order.

Every sentence is taken word for word from a retrieved passage, so the answer never states
anything its citation does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.chunking import Chunk
from assistant.config import Settings
from assistant.embeddings import SentenceVectors
from assistant.guard import looks_like_instruction
from assistant.retrieval import Candidate
from assistant.text import content_terms, split_sentences

SIMILARITY_WEIGHT = 0.7
COVERAGE_WEIGHT = 0.3
# Two sentences this similar say the same thing; the answer keeps only the first.
REDUNDANCY_LIMIT = 0.85
# ...and so do two sentences sharing this share of their content words.
WORD_OVERLAP_LIMIT = 0.6
# Passages scoring this far below the best are not drawn on.
PASSAGE_MARGIN = 0.12
MAX_PASSAGES = 3
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
    sentences: list[str] = []
    for paragraph in chunk.body.split("\n\n"):
        for sentence in split_sentences(paragraph):
            if (
                re.search(r"[.!?)\"'”’]$", sentence)
                and not _ABOUT_THE_PAGE.match(sentence)
                and not looks_like_instruction(sentence)
            ):
                sentences.append(sentence)
    return sentences


def compose_answer(
    query: str,
    query_vector: np.ndarray,
    ranked: list[Candidate],
    vectors: SentenceVectors,
    settings: Settings,
) -> list[DraftSentence]:
    """Choose up to N non-redundant sentences from the best passages, ordered to read well."""
    if not ranked:
        return []
    best_score = ranked[0].score
    passages = [c for c in ranked if c.score >= best_score - PASSAGE_MARGIN][:MAX_PASSAGES]
    pool: list[tuple[str, Chunk, int, int]] = []
    for rank, candidate in enumerate(passages):
        for position, sentence in enumerate(passage_sentences(candidate.chunk)):
            pool.append((sentence, candidate.chunk, rank, position))
    if not pool:
        return []
    sentence_vectors = vectors.many([sentence for sentence, *_ in pool])
    similarities = sentence_vectors @ query_vector
    terms = set(content_terms(query))
    scores = []
    for (sentence, _chunk, _rank, _position), similarity in zip(pool, similarities, strict=True):
        covered = set(content_terms(sentence)) & terms
        coverage = len(covered) / len(terms) if terms else 0.0
        scores.append(SIMILARITY_WEIGHT * float(similarity) + COVERAGE_WEIGHT * coverage)

    order = sorted(range(len(pool)), key=lambda i: scores[i], reverse=True)
    top = scores[order[0]]
    chosen: list[int] = []
    for index in order:
        if len(chosen) >= settings.max_answer_sentences:
            break
        if scores[index] < top * settings.sentence_relative_floor:
            break
        if any(
            float(sentence_vectors[index] @ sentence_vectors[j]) > REDUNDANCY_LIMIT for j in chosen
        ):
            continue
        chosen.append(index)

    # Read well: passages in the order of their best sentence, sentences in document order.
    first_seen: dict[str, int] = {}
    for index in chosen:
        first_seen.setdefault(pool[index][1].chunk_id, len(first_seen))
    chosen.sort(key=lambda i: (first_seen[pool[i][1].chunk_id], pool[i][3]))
    return [
        DraftSentence(text=pool[i][0], chunk=pool[i][1], score=scores[i], position=pool[i][3])
        for i in chosen
    ]


def _redundant(
    a: int, b: int, pool: list[tuple[str, Chunk, int, int]], vectors: np.ndarray
) -> bool:
    """Whether two candidate sentences say the same thing."""
    if float(vectors[a] @ vectors[b]) > REDUNDANCY_LIMIT:
        return True
    words_a, words_b = set(content_terms(pool[a][0])), set(content_terms(pool[b][0]))
    if not words_a or not words_b:
        return False
    return len(words_a & words_b) / min(len(words_a), len(words_b)) > WORD_OVERLAP_LIMIT
