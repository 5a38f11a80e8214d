"""Ingest throughput on the shipped corpus: python benchmarks/ingest_throughput.py

Builds a fresh index in a temporary folder (parse, chunk, embed, store), then re-ingests the
unchanged corpus, and prints documents, chunks, seconds and chunks per second for each.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import assistant  # noqa: F401  (offline environment first)
from assistant.config import Settings
from assistant.corpus.embeddings import load_embeddings
from assistant.corpus.index import ChunkStore
from assistant.corpus.ingest import IngestReport, chunk_corpus, ingest_corpus, load_corpus


def main() -> int:
    """Run the benchmark and print the figures."""
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(index_dir=Path(scratch) / "index")
        embeddings = load_embeddings(settings)
        begin = time.perf_counter()
        documents = load_corpus(settings.corpus_dir, IngestReport())
        chunks = chunk_corpus(documents, settings)
        parse_seconds = time.perf_counter() - begin
        store = ChunkStore(settings, embeddings)
        begin = time.perf_counter()
        first = ingest_corpus(settings, store)
        build_seconds = time.perf_counter() - begin
        begin = time.perf_counter()
        again = ingest_corpus(settings, store)
        unchanged_seconds = time.perf_counter() - begin
    figures = {
        "documents": first.documents,
        "chunks": first.chunks_total,
        "parse_and_chunk_seconds": round(parse_seconds, 2),
        "full_build_seconds": round(build_seconds, 1),
        "full_build_chunks_per_second": round(first.chunks_total / build_seconds, 1),
        "unchanged_reingest_seconds": round(unchanged_seconds, 2),
        "unchanged_reingest_chunks_added": again.chunks_added,
        "mean_chunk_words": round(sum(len(c.body.split()) for c in chunks) / len(chunks), 1),
    }
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
