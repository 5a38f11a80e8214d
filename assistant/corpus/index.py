"""The two indexes over the same chunks: Chroma for vectors and metadata, BM25 for words."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from assistant.answering.message import spell_out
from assistant.config import Settings
from assistant.corpus.chunking import Chunk
from assistant.text import content_terms

# Chroma's write batches must stay under its maximum batch size.
_WRITE_BATCH = 256


def chroma_client(settings: Settings) -> chromadb.ClientAPI:
    """An embedded persistent client, or an HTTP client when CHROMA_HOST is set; no telemetry."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.index_dir), settings=chroma_settings)


@dataclass(frozen=True)
class ScoredChunk:
    """A chunk with the score one index gave it (cosine similarity or BM25 score)."""

    chunk: Chunk
    score: float


class ChunkStore:
    """The Chroma collection of chunks, through LangChain's Chroma vector store."""

    def __init__(self, settings: Settings, embeddings: Embeddings) -> None:
        self.settings = settings
        client = chroma_client(settings)
        self.vectorstore = Chroma(
            collection_name=settings.collection_name,
            embedding_function=embeddings,
            client=client,
            collection_configuration={"hnsw": {"space": "cosine"}},
        )
        # Multi-vector index: each passage's questions (its question heading and the parents'
        # phrasings written under it), each pointing back to the passage by chunk_id.
        self.questions = Chroma(
            collection_name=f"{settings.collection_name}_questions",
            embedding_function=embeddings,
            client=client,
            collection_configuration={"hnsw": {"space": "cosine"}},
        )

        # Every passage sentence, embedded once at ingest: answers are composed from sentences,
        # and embedding them at question time cost most of an answer's time.
        self.sentences = Chroma(
            collection_name=f"{settings.collection_name}_sentences",
            embedding_function=embeddings,
            client=client,
            collection_configuration={"hnsw": {"space": "cosine"}},
        )

    def count(self) -> int:
        """Number of chunks held."""
        return int(self.vectorstore._collection.count())

    def ids_by_doc(self) -> dict[str, set[str]]:
        """Chunk ids currently held, grouped by document id."""
        held = self.vectorstore.get(include=["metadatas"])
        grouped: dict[str, set[str]] = defaultdict(set)
        for chunk_id, meta in zip(held["ids"], held["metadatas"], strict=True):
            grouped[str(meta["doc_id"])].add(chunk_id)
        return dict(grouped)

    def add(self, chunks: Sequence[Chunk]) -> None:
        """Embed and store chunks (ids are content-derived, so re-adding is harmless)."""
        for start in range(0, len(chunks), _WRITE_BATCH):
            batch = chunks[start : start + _WRITE_BATCH]
            self.vectorstore.add_documents(
                [chunk.to_document() for chunk in batch], ids=[c.chunk_id for c in batch]
            )

    def delete(self, chunk_ids: Sequence[str]) -> None:
        """Remove chunks by id."""
        ids = list(chunk_ids)
        for start in range(0, len(ids), _WRITE_BATCH):
            self.vectorstore.delete(ids=ids[start : start + _WRITE_BATCH])

    def sync_questions(self, chunks: Sequence[Chunk] | None = None) -> int:
        """Bring the question vectors in line with the stored passages (`chunks`, default all
        stored); returns how many were embedded. Derived entirely from the passages' metadata,
        so it also repairs an index whose question vectors were lost or built before passages
        had questions."""
        # Questions are read like a parent's message (shorthand spelled out), so "EHCP" in a
        # question matches "EHCP" in a message; the id carries the text, so a change re-embeds.
        texts: dict[str, str] = {}
        metadatas: dict[str, dict[str, str]] = {}
        for chunk in self.all_chunks() if chunks is None else chunks:
            for question in chunk.search_questions:
                text = spell_out(question)
                key = f"{chunk.chunk_id}:{hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}"
                texts[key] = text
                metadatas[key] = {"chunk_id": chunk.chunk_id, "doc_id": chunk.doc_id}
        return _sync(self.questions, texts, metadatas)

    def sync_sentences(self, chunks: Sequence[Chunk] | None = None) -> int:
        """Bring the stored sentence vectors in line with the stored passages (`chunks`, default
        all stored; ids are a hash of the sentence, so a sentence shared by two passages is
        embedded once); returns how many were embedded."""
        texts = {
            hashlib.sha256(sentence.encode("utf-8")).hexdigest()[:16]: sentence
            for chunk in (self.all_chunks() if chunks is None else chunks)
            for sentence in chunk.sentences
        }
        return _sync(self.sentences, texts)

    def sentence_vectors(self) -> dict[str, np.ndarray]:
        """Every stored sentence and its unit vector (384 floats)."""
        held = self.sentences._collection.get(include=["documents", "embeddings"])
        vectors = held["embeddings"] if held["embeddings"] is not None else []
        return {
            str(text): np.asarray(vector, dtype=np.float32)
            for text, vector in zip(held["documents"] or [], vectors, strict=True)
        }

    def search_questions(self, query_vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(chunk_id, best cosine similarity) for the passages whose questions are nearest."""
        k = min(k, int(self.questions._collection.count()))
        if k <= 0:
            return []
        found = self.questions.similarity_search_by_vector_with_relevance_scores(
            query_vector.tolist(), k=k
        )
        best: dict[str, float] = {}
        for doc, distance in found:
            chunk_id = str(doc.metadata["chunk_id"])
            best[chunk_id] = max(best.get(chunk_id, -1.0), 1.0 - float(distance))
        return sorted(best.items(), key=lambda item: item[1], reverse=True)

    def all_chunks(self) -> list[Chunk]:
        """Every chunk held, in document order."""
        from langchain_core.documents import Document

        held = self.vectorstore.get(include=["metadatas", "documents"])
        chunks = [
            Chunk.from_document(Document(page_content=text or "", metadata=meta))
            for text, meta in zip(held["documents"], held["metadatas"], strict=True)
        ]
        return sorted(chunks, key=lambda c: (c.collection, c.doc_id, c.position))

    def vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored embeddings for the given chunks."""
        if not chunk_ids:
            return {}
        held = self.vectorstore._collection.get(ids=list(chunk_ids), include=["embeddings"])
        vectors = held["embeddings"] if held["embeddings"] is not None else []
        return {
            chunk_id: np.asarray(vector, dtype=np.float32)
            for chunk_id, vector in zip(held["ids"], vectors, strict=True)
        }

    def search(self, query_vector: np.ndarray, k: int) -> list[ScoredChunk]:
        """Top-k chunks by cosine similarity to a unit query vector."""
        k = min(k, self.count())
        if k <= 0:
            return []
        found = self.vectorstore.similarity_search_by_vector_with_relevance_scores(
            query_vector.tolist(), k=k
        )
        # The collection uses cosine distance, so similarity is 1 - distance.
        return [ScoredChunk(Chunk.from_document(doc), 1.0 - float(dist)) for doc, dist in found]


class LexicalIndex:
    """BM25 over the same chunks (title, headings and text), rebuilt whenever they change."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self.chunks = list(chunks)
        self.by_id = {chunk.chunk_id: chunk for chunk in self.chunks}
        self._bm25: bm25s.BM25 | None = None
        corpus = [content_terms(chunk.indexed_text) or ["_empty_"] for chunk in self.chunks]
        if corpus:
            self._bm25 = bm25s.BM25()
            self._bm25.index(corpus, show_progress=False)

    def search(self, query: str, k: int) -> list[ScoredChunk]:
        """Top-k chunks by BM25 score for the query's content words (zero scores dropped)."""
        terms = [t for t in content_terms(query) if self._bm25 and t in self._bm25.vocab_dict]
        if not terms or self._bm25 is None:
            return []
        k = min(k, len(self.chunks))
        ids, scores = self._bm25.retrieve([terms], k=k, show_progress=False)
        return [
            ScoredChunk(self.chunks[int(i)], float(s))
            for i, s in zip(ids[0], scores[0], strict=True)
            if s > 0
        ]


def _sync(
    collection: Chroma, texts: dict[str, str], metadatas: dict[str, dict[str, str]] | None = None
) -> int:
    """Make a derived collection hold exactly `texts` (id -> text): embed the missing ones, delete
    the rest. Returns how many were embedded."""
    held = set(collection.get(include=[])["ids"])
    missing = [key for key in texts if key not in held]
    for start in range(0, len(missing), _WRITE_BATCH):
        batch = missing[start : start + _WRITE_BATCH]
        collection.add_texts(
            [texts[key] for key in batch],
            metadatas=[metadatas[key] for key in batch] if metadatas is not None else None,
            ids=batch,
        )
    extra = sorted(held - set(texts))
    for start in range(0, len(extra), _WRITE_BATCH):
        collection.delete(ids=extra[start : start + _WRITE_BATCH])
    return len(missing)
