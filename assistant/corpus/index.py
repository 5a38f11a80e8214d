"""The two indexes over the same chunks: Chroma for vectors and metadata, BM25 for words."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import bm25s
import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from assistant.answering.message import spell_out
from assistant.config import Settings
from assistant.corpus.chunking import Chunk
from assistant.corpus.generations import Generations, names_for
from assistant.text import content_terms

# Chroma's write batches must stay under its maximum batch size.
_WRITE_BATCH = 256
# Texts embedded between progress lines (and between writes, so a killed ingest keeps them).
_EMBED_BATCH = 64
Row = tuple[str, dict[str, Any] | None]
Progress = Callable[[str], None]


@dataclass(frozen=True)
class FillCounts:
    """How many vectors of each kind an ingest embedded (the rest were copied or kept)."""

    passages: int
    questions: int
    sentences: int


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
    """One generation of the Chroma collections (passages, their questions, their sentences),
    through LangChain's Chroma vector store. Without `generation`, the live one (see
    generations.py); an empty index opens generation 0, empty."""

    def __init__(
        self,
        settings: Settings,
        embeddings: Embeddings,
        generation: int | None = None,
        client: chromadb.ClientAPI | None = None,
    ) -> None:
        self.settings = settings
        self.embeddings = embeddings
        self.client = client or chroma_client(settings)
        self.generations = Generations(self.client, settings.collection_name)
        # Collection sizes, once `pin_sizes` says this generation is no longer written.
        self._sizes: dict[str, int] | None = None
        # Once pinned: the passages by id (read whole by `all_chunks`) and the passage vectors
        # asked for so far, so that a search reads only ids and distances from Chroma.
        self._chunks: dict[str, Chunk] | None = None
        self._vectors: dict[str, np.ndarray] = {}
        # Once pinned: every question's passage id and vector (see `question_similarities`).
        self._question_matrix: tuple[np.ndarray, np.ndarray] | None = None
        if generation is None:
            generation = self.generations.live()
        self.follow(generation or 0)

    def at(self, generation: int) -> ChunkStore:
        """Another generation of the same index, sharing this store's client."""
        return ChunkStore(self.settings, self.embeddings, generation, self.client)

    def follow(self, generation: int) -> None:
        """Read and write `generation` from now on (after an ingest switched to it)."""
        names = names_for(self.settings.collection_name, generation)
        self.generation = generation
        self._sizes = None
        self._chunks = None
        self._vectors = {}
        self._question_matrix = None
        self.vectorstore = self._open(names.chunks)
        # Multi-vector index: each passage's questions (its question heading and the parents'
        # phrasings written under it), each pointing back to the passage by chunk_id.
        self.questions = self._open(names.questions)
        # Every passage sentence, embedded once at ingest: answers are composed from sentences,
        # and embedding them at question time cost most of an answer's time.
        self.sentences = self._open(names.sentences)

    def _open(self, name: str) -> Chroma:
        return Chroma(
            collection_name=name,
            embedding_function=self.embeddings,
            client=self.client,
            collection_configuration={"hnsw": {"space": "cosine"}},
        )

    def count(self) -> int:
        """Number of chunks held."""
        return self._size(self.vectorstore)

    def pin_sizes(self) -> None:
        """Remember the collections' sizes from now on: for a live generation, which is never
        written again (an ingest builds the next one beside it). Each search needs the size
        (k can be at most that) and asking Chroma took about 2 ms per search. The passages
        `all_chunks` reads and the vectors `vectors` reads are kept from then on too: a search
        then asks Chroma for ids and distances only (reading each hit's text and metadata back
        from SQLite took about half of each search)."""
        self._sizes = None
        self._sizes = {
            c._collection.name: self._size(c) for c in (self.vectorstore, self.questions)
        }
        self._chunks = None
        self._vectors = {}
        self._question_matrix = None

    def _size(self, collection: Chroma) -> int:
        if self._sizes is not None and collection._collection.name in self._sizes:
            return self._sizes[collection._collection.name]
        return int(collection._collection.count())

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

    def fill(self, rows: IndexRows, source: ChunkStore | None, progress: Progress) -> FillCounts:
        """Make this generation hold exactly `rows` (see rows_for): passages, their questions
        and their sentences.

        Rows this generation already holds stay (a killed ingest resumes where it stopped);
        rows `source` (the live generation) holds are copied with their stored vectors;
        only the rest are embedded. Returns how many of each kind were embedded.
        """
        return FillCounts(
            passages=_fill(
                self.vectorstore, _of(source, "vectorstore"), rows.passages, progress, "passages"
            ),
            questions=_fill(
                self.questions, _of(source, "questions"), rows.questions, progress, "questions"
            ),
            sentences=_fill(
                self.sentences, _of(source, "sentences"), rows.sentences, progress, "sentences"
            ),
        )

    def holds_exactly(self, rows: IndexRows) -> bool:
        """Whether passages, questions and sentences are all exactly `rows` (the check made
        before a generation goes live: vector search, the BM25 index built from the passages,
        and the sentence vectors then agree)."""
        return (
            _ids(self.vectorstore) == set(rows.passages)
            and _ids(self.questions) == set(rows.questions)
            and _ids(self.sentences) == set(rows.sentences)
        )

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
        k = min(k, self._size(self.questions))
        if k <= 0:
            return []
        # A question's id starts with its passage's chunk id (see question_rows).
        nearest = self._nearest(self.questions, query_vector, k) if self._chunks else []
        if nearest and all(":" in key for key, _ in nearest):
            found = [(key.rpartition(":")[0], distance) for key, distance in nearest]
        else:
            found = [
                (str(doc.metadata["chunk_id"]), distance)
                for doc, distance in self.questions.similarity_search_by_vector_with_relevance_scores(
                    query_vector.tolist(), k=k
                )
            ]
        best: dict[str, float] = {}
        for chunk_id, distance in found:
            best[chunk_id] = max(best.get(chunk_id, -1.0), 1.0 - float(distance))
        return sorted(best.items(), key=lambda item: item[1], reverse=True)

    def all_chunks(self) -> list[Chunk]:
        """Every chunk held, in document order (kept, once the generation is pinned)."""
        from langchain_core.documents import Document

        if self._chunks is not None:
            return list(self._chunks.values())
        held = self.vectorstore.get(include=["metadatas", "documents"])
        chunks = [
            Chunk.from_document(Document(page_content=text or "", metadata=meta))
            for text, meta in zip(held["documents"], held["metadatas"], strict=True)
        ]
        chunks.sort(key=lambda c: (c.collection, c.doc_id, c.position))
        if self._sizes is not None:
            self._chunks = {chunk.chunk_id: chunk for chunk in chunks}
        return chunks

    def vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored embeddings for the given chunks (those held), by chunk id."""
        kept = self._vectors if self._chunks is not None else {}
        missing = [chunk_id for chunk_id in dict.fromkeys(chunk_ids) if chunk_id not in kept]
        if not missing:
            return {chunk_id: kept[chunk_id] for chunk_id in chunk_ids}
        held = self.vectorstore._collection.get(ids=missing, include=["embeddings"])
        vectors = held["embeddings"] if held["embeddings"] is not None else []
        found = {
            chunk_id: np.asarray(vector, dtype=np.float32)
            for chunk_id, vector in zip(held["ids"], vectors, strict=True)
        }
        if self._chunks is not None:
            # A new dict, swapped in whole: another answer may be reading the old one.
            self._vectors = {**self._vectors, **found}
        return {
            chunk_id: found[chunk_id] if chunk_id in found else kept[chunk_id]
            for chunk_id in chunk_ids
            if chunk_id in found or chunk_id in kept
        }

    def question_similarities(
        self, query_vector: np.ndarray, chunk_ids: Sequence[str]
    ) -> dict[str, float]:
        """The best cosine similarity of a unit query vector to each given passage's questions
        (passages without questions are left out). Exact: `search_questions` returns only the
        top k, and a passage it missed used to count as 0, so a passage whose questions fell
        just outside the top k ranked below one that merely shared the story's words. The
        question vectors are read once per pinned generation (about 2,500 x 384 here)."""
        owners, matrix = self._questions()
        if not len(owners):  # a corpus written without parents' questions
            return {}
        wanted = np.isin(owners, list(chunk_ids))
        best: dict[str, float] = {}
        for owner, similarity in zip(owners[wanted], matrix[wanted] @ query_vector, strict=True):
            best[str(owner)] = max(best.get(str(owner), -1.0), float(similarity))
        return best

    def _questions(self) -> tuple[np.ndarray, np.ndarray]:
        if self._question_matrix is not None:
            return self._question_matrix
        held = self.questions._collection.get(include=["embeddings", "metadatas"])
        owners = np.array([str(meta["chunk_id"]) for meta in held["metadatas"] or []])
        vectors = held["embeddings"] if held["embeddings"] is not None else []
        matrix = np.asarray(vectors, dtype=np.float32).reshape(
            len(owners), -1 if len(owners) else 0
        )
        if self._sizes is not None:  # pinned: never written again
            self._question_matrix = (owners, matrix)
        return owners, matrix

    def search(self, query_vector: np.ndarray, k: int) -> list[ScoredChunk]:
        """Top-k chunks by cosine similarity to a unit query vector."""
        k = min(k, self.count())
        if k <= 0:
            return []
        # The collection uses cosine distance, so similarity is 1 - distance.
        if self._chunks is not None:
            kept = self._chunks
            nearest = self._nearest(self.vectorstore, query_vector, k)
            if all(chunk_id in kept for chunk_id, _ in nearest):
                return [ScoredChunk(kept[i], 1.0 - distance) for i, distance in nearest]
        found = self.vectorstore.similarity_search_by_vector_with_relevance_scores(
            query_vector.tolist(), k=k
        )
        return [ScoredChunk(Chunk.from_document(doc), 1.0 - float(dist)) for doc, dist in found]

    @staticmethod
    def _nearest(collection: Chroma, query_vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(id, cosine distance) of the k nearest rows, nearest first: the same query LangChain
        makes, without reading the rows' text and metadata."""
        found = collection._collection.query(
            query_embeddings=[query_vector.tolist()], n_results=k, include=["distances"]
        )
        distances = found["distances"][0] if found["distances"] else []
        return [(str(i), float(d)) for i, d in zip(found["ids"][0], distances, strict=True)]


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


@dataclass(frozen=True)
class IndexRows:
    """What one generation must hold for a set of chunks, by id: (text, metadata)."""

    passages: dict[str, Row]
    questions: dict[str, Row]
    sentences: dict[str, Row]


def rows_for(chunks: Sequence[Chunk]) -> IndexRows:
    """The passage, question and sentence rows of `chunks` (computed once per ingest: spelling
    out every question takes most of a second for the shipped corpus)."""
    return IndexRows(
        passages={c.chunk_id: (c.indexed_text, c.metadata()) for c in chunks},
        questions=question_rows(chunks),
        sentences=sentence_rows(chunks),
    )


def question_rows(chunks: Sequence[Chunk]) -> dict[str, Row]:
    """Question vectors wanted for `chunks`: id -> (text, metadata pointing to the passage).

    Questions are read like a parent's message (shorthand spelled out), so "EHCP" in a question
    matches "EHCP" in a message; the id carries the text, so a change re-embeds."""
    rows: dict[str, Row] = {}
    for chunk in chunks:
        for question in chunk.search_questions:
            text = spell_out(question)
            # The passage's chunk id first: `search_questions` reads it back from the id.
            key = f"{chunk.chunk_id}:{hashlib.sha256(text.encode('utf-8')).hexdigest()[:12]}"
            rows[key] = (text, {"chunk_id": chunk.chunk_id, "doc_id": chunk.doc_id})
    return rows


def sentence_rows(chunks: Sequence[Chunk]) -> dict[str, Row]:
    """Sentence vectors wanted for `chunks`: id (a hash of the sentence, so a sentence shared by
    two passages is embedded once) -> (sentence, no metadata)."""
    return {
        hashlib.sha256(sentence.encode("utf-8")).hexdigest()[:16]: (sentence, None)
        for chunk in chunks
        for sentence in chunk.sentences
    }


def _of(store: ChunkStore | None, kind: str) -> Chroma | None:
    return None if store is None else getattr(store, kind)


def _ids(collection: Chroma) -> set[str]:
    return set(collection.get(include=[])["ids"])


def _fill(
    target: Chroma,
    source: Chroma | None,
    rows: dict[str, Row],
    progress: Progress = lambda _message: None,
    what: str = "texts",
) -> int:
    """Make `target` hold exactly `rows` (id -> (text, metadata)): copy the vectors `source`
    holds, embed the rest, delete extras. Returns how many were embedded."""
    held = _ids(target)
    missing = [key for key in rows if key not in held]
    copied = 0
    if source is not None and missing:
        for start in range(0, len(missing), _WRITE_BATCH):
            batch = missing[start : start + _WRITE_BATCH]
            found = source._collection.get(ids=batch, include=["embeddings"])
            if not found["ids"]:
                continue
            ids = [str(key) for key in found["ids"]]
            metadatas = [rows[key][1] for key in ids]
            target._collection.add(
                ids=ids,
                embeddings=found["embeddings"],
                documents=[rows[key][0] for key in ids],
                metadatas=metadatas if all(m is not None for m in metadatas) else None,  # type: ignore[arg-type]
            )
            copied += len(ids)
        held = _ids(target)
        missing = [key for key in missing if key not in held]
    if missing:
        progress(f"Embedding {len(missing)} new or changed {what} ...")
    for start in range(0, len(missing), _EMBED_BATCH):
        batch = missing[start : start + _EMBED_BATCH]
        metadatas = [rows[key][1] for key in batch]
        target.add_texts(
            [rows[key][0] for key in batch],
            metadatas=metadatas if all(m is not None for m in metadatas) else None,  # type: ignore[arg-type]
            ids=batch,
        )
        progress(f"  embedded {start + len(batch)}/{len(missing)} {what}")
    extra = sorted(_ids(target) - set(rows))
    for start in range(0, len(extra), _WRITE_BATCH):
        target.delete(ids=extra[start : start + _WRITE_BATCH])
    return len(missing)
