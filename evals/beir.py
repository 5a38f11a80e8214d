"""Evaluate the retriever alone on a dataset in BEIR layout, for comparison with published tables.

DIR/corpus.jsonl ({_id, title, text}), DIR/queries.jsonl ({_id, text}) and DIR/qrels/test.tsv
(query-id, corpus-id, score, with a header line). Prints nDCG@10, Recall@100 and MRR@10.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

from assistant.answering.rerank import rerank
from assistant.answering.retrieval import hybrid_search
from assistant.config import Settings
from assistant.corpus.chunking import Chunk
from assistant.corpus.embeddings import SentenceVectors, load_embeddings
from assistant.corpus.index import ChunkStore, LexicalIndex
from evals.metrics import mean, ndcg_at, recall_at, reciprocal_rank


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def load_beir(
    folder: Path,
) -> tuple[list[dict[str, Any]], dict[str, str], dict[str, dict[str, float]]]:
    """Corpus records, queries by id, and graded relevance judgements by query id."""
    for required in ("corpus.jsonl", "queries.jsonl", "qrels/test.tsv"):
        if not (folder / required).exists():
            raise FileNotFoundError(f"{folder / required} is missing (BEIR layout expected)")
    corpus = _jsonl(folder / "corpus.jsonl")
    queries = {str(q["_id"]): str(q["text"]) for q in _jsonl(folder / "queries.jsonl")}
    qrels: dict[str, dict[str, float]] = {}
    with (folder / "qrels" / "test.tsv").open(encoding="utf-8") as handle:
        rows = csv.reader(handle, delimiter="\t")
        next(rows, None)
        for row in rows:
            if len(row) >= 3 and float(row[2]) > 0:
                qrels.setdefault(row[0], {})[row[1]] = float(row[2])
    return corpus, queries, qrels


def _chunk(record: dict[str, Any], position: int) -> Chunk:
    doc_id = str(record["_id"])
    return Chunk(
        chunk_id=f"beir-{position}",
        doc_id=doc_id,
        body=str(record.get("text") or ""),
        heading_path=(),
        title=str(record.get("title") or ""),
        source_url=f"https://beir.invalid/{doc_id}",
        publisher="BEIR",
        collection="beir",
        last_checked=dt.date.today().isoformat(),
        position=position,
    )


def evaluate_beir(folder: Path, settings: Settings, depth: int = 100) -> dict[str, float]:
    """Index the corpus in a throwaway Chroma store and score hybrid retrieval + rerank."""
    corpus, queries, qrels = load_beir(folder)
    embeddings = load_embeddings(settings)
    vectors = SentenceVectors(embeddings)
    with tempfile.TemporaryDirectory() as scratch:
        local = settings.model_copy(
            update={
                "index_dir": Path(scratch),
                "chroma_host": None,
                "collection_name": "beir_eval",
                "dense_k": depth,
                "lexical_k": depth,
                "max_chunks_per_doc": 1,
            }
        )
        store = ChunkStore(local, embeddings)
        chunks = [_chunk(record, i) for i, record in enumerate(corpus)]
        store.add(chunks)
        lexical = LexicalIndex(chunks)
        scores: dict[str, list[float]] = {"ndcg_at_10": [], "recall_at_100": [], "mrr_at_10": []}
        for query_id, gains in qrels.items():
            if query_id not in queries:
                continue
            text = queries[query_id]
            vector = vectors.query(text)
            found = rerank(
                hybrid_search(store, lexical, local, text, vector, depth), text, vector, store
            )
            ranked = [c.chunk.doc_id for c in found]
            scores["ndcg_at_10"].append(ndcg_at(ranked, gains, 10))
            scores["recall_at_100"].append(recall_at(ranked, set(gains), 100))
            scores["mrr_at_10"].append(reciprocal_rank(ranked, list(gains), 10))
    return {"queries": float(len(scores["ndcg_at_10"])), **{k: mean(v) for k, v in scores.items()}}
