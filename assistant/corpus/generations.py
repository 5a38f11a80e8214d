"""Index generations: each ingest that changes anything builds a complete new set of collections
beside the live one, then flips a pointer, so the chat never reads a half-written index.

Why generations rather than writing into the live collections: an ingest killed half-way used
to leave passages, questions and sentences out of step with each other, and the chat read them
while they changed. Why the pointer is a Chroma record: it works the same with the embedded
PersistentClient and with a Chroma server shared by several app processes (a file would not be
seen by processes on other machines), and a single-record upsert is atomic in Chroma.

Names, for the base name `send_chunks`:
- generation 0 is the un-versioned set an index built before generations has (`send_chunks`,
  `send_chunks_questions`, `send_chunks_sentences`), adopted as it is;
- generation N ≥ 1 is `send_chunks_vN`, `send_chunks_vN_questions`, `send_chunks_vN_sentences`;
- the pointer is the record "live" in `send_chunks_live` (metadata: generation, previous, switched).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import chromadb
import numpy as np

POINTER_ID = "live"


@dataclass(frozen=True)
class GenerationNames:
    """The three collection names of one generation."""

    chunks: str
    questions: str
    sentences: str

    def all(self) -> tuple[str, str, str]:
        """The three names, passages first."""
        return (self.chunks, self.questions, self.sentences)


def names_for(base: str, generation: int) -> GenerationNames:
    """Collection names of a generation (0: the un-versioned names of older indexes)."""
    name = base if generation == 0 else f"{base}_v{generation}"
    return GenerationNames(name, f"{name}_questions", f"{name}_sentences")


class Generations:
    """Which generation is live, which exist, switching and removing them.

    Raises chromadb errors only when Chroma itself is unreachable.
    """

    def __init__(self, client: chromadb.ClientAPI, base: str) -> None:
        self.client = client
        self.base = base
        # No embedding function: the pointer holds no text, and Chroma's default one would try
        # to download a model.
        self._pointer = client.get_or_create_collection(f"{base}_live", embedding_function=None)
        self._numbered = re.compile(rf"^{re.escape(base)}_v(\d+)$")

    def pointer(self) -> dict[str, object] | None:
        """The pointer record's metadata, or None before the first switch."""
        got = self._pointer.get(ids=[POINTER_ID], include=["metadatas"])
        metadatas = got["metadatas"] or []
        return dict(metadatas[0] or {}) if got["ids"] else None

    def live(self) -> int | None:
        """The generation answers are read from; 0 for an older un-versioned index that holds
        passages; None when nothing has been indexed yet. About 0.5 ms embedded."""
        pointer = self.pointer()
        if pointer is not None:
            return int(str(pointer["generation"]))
        if self.base in self._names() and self.client.get_collection(self.base).count() > 0:
            return 0
        return None

    def held(self) -> list[int]:
        """Every generation with a passage collection, oldest first."""
        found = []
        for name in self._names():
            if name == self.base:
                found.append(0)
            elif match := self._numbered.match(name):
                found.append(int(match.group(1)))
        return sorted(found)

    def switch(self, generation: int, previous: int | None) -> None:
        """Make `generation` live in one atomic write (readers see the old or the new one)."""
        self._pointer.upsert(
            ids=[POINTER_ID],
            embeddings=np.ones((1, 1), dtype=np.float32),  # no text: a placeholder vector
            metadatas=[
                {
                    "generation": generation,
                    "previous": -1 if previous is None else previous,
                    "switched": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                }
            ],
        )

    def remove(self, generation: int) -> None:
        """Delete a generation's collections (those that exist)."""
        present = self._names()
        for name in names_for(self.base, generation).all():
            if name in present:
                self.client.delete_collection(name)

    def _names(self) -> set[str]:
        return {str(getattr(c, "name", c)) for c in self.client.list_collections()}
