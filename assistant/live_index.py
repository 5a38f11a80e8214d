"""The index an answer reads from, following ingests: each index generation is loaded whole
(passages, BM25 index, corpus vocabulary, sentence vectors) into one snapshot, and a new
snapshot replaces the old in one assignment, so an answer never mixes two generations."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from assistant.answering.answerable import CorpusVocabulary
from assistant.corpus.glossary import Glossary
from assistant.corpus.index import ChunkStore, LexicalIndex


@dataclass(frozen=True)
class IndexSnapshot:
    """Everything an answer reads from one index generation."""

    generation: int
    store: ChunkStore
    lexical: LexicalIndex
    vocabulary: CorpusVocabulary
    # Every stored passage sentence and its unit vector (384 floats).
    sentence_vectors: dict[str, np.ndarray]


def load_snapshot(store: ChunkStore, generation: int, glossary: Glossary) -> IndexSnapshot:
    """Read one generation whole (about 0.2 s for the shipped corpus)."""
    at = store.at(generation)
    at.pin_sizes()
    chunks = at.all_chunks()
    return IndexSnapshot(
        generation=generation,
        store=at,
        lexical=LexicalIndex(chunks),
        vocabulary=CorpusVocabulary(chunks, glossary),
        sentence_vectors=at.sentence_vectors(),
    )


class LiveIndex:
    """The current snapshot, reloaded when an ingest (here or in another process) switches the
    live generation. The check reads one Chroma record (under 1 ms embedded, a few ms from a
    server) at most once every `check_seconds`."""

    def __init__(self, store: ChunkStore, glossary: Glossary, check_seconds: float) -> None:
        self._store = store
        self._glossary = glossary
        self._check_seconds = check_seconds
        self._reloading = threading.Lock()
        self._checked = time.monotonic()
        live = store.generations.live()
        self.current = load_snapshot(store, store.generation if live is None else live, glossary)

    def latest(self) -> IndexSnapshot:
        """The snapshot to answer from: reloaded first if the live generation moved (checked at
        most every `check_seconds`; while another thread reloads, the current one)."""
        if time.monotonic() - self._checked >= self._check_seconds:
            try:
                self.reload()
            except Exception:  # Chroma unreachable for a moment: keep answering, retry later
                self._checked = time.monotonic()
        return self.current

    def reload(self, force: bool = False) -> bool:
        """Load the live generation if it differs from the current one (or always, with
        `force`); returns whether the snapshot changed. Never blocks on another reload."""
        if not self._reloading.acquire(blocking=False):
            return False
        try:
            self._checked = time.monotonic()
            live = self._store.generations.live()
            generation = self._store.generation if live is None else live
            if generation == self.current.generation and not force:
                return False
            self.current = load_snapshot(self._store, generation, self._glossary)  # one assignment
            return True
        finally:
            self._reloading.release()
