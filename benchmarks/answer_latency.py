"""Answer latency over real questions: python benchmarks/answer_latency.py [--set FILE] [--n N]

Loads the model and the shipped index once, warms up, then times, for each question in turn:
`AnswerPipeline.answer` (history included), one query embedding of the question, and the plain
LangChain recipe (dense top-4 from the same Chroma collection, embedding included). Prints
p50 / p95 / p99 of each, the answer's p50 as a multiple of the other two, per-step medians and
peak memory. Run with OMP_NUM_THREADS=1 (see README.md).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import assistant  # noqa: F401  (offline environment first)
from assistant.config import PROJECT_ROOT, Settings
from assistant.pipeline import AnswerPipeline
from evals.dataset import load_items
from evals.metrics import percentile


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", type=Path, default=PROJECT_ROOT / "evals/datasets/send_eval.jsonl")
    parser.add_argument("--n", type=int, default=0, help="questions to time (0 = all)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    items = load_items(args.set)
    if args.n:
        items = items[: args.n]
    started = time.perf_counter()
    pipeline = AnswerPipeline.load(Settings(today="2026-11-25"), progress=lambda m: None)
    load_seconds = time.perf_counter() - started
    for item in items[:5]:  # warm-up: first calls pay one-off costs
        pipeline.answer(item.question, list(item.history))
    latencies, embedding, recipe, steps = [], [], [], {}
    for item in items:
        begin = time.perf_counter()
        answer = pipeline.answer(item.question, list(item.history))
        latencies.append((time.perf_counter() - begin) * 1000)
        for step, ms in answer.debug.get("timings_ms", {}).items():
            steps.setdefault(step, []).append(ms)
        # Side by side, question by question, so a busy machine slows all three alike.
        begin = time.perf_counter()
        pipeline.embeddings.embed_query(item.question)
        embedding.append((time.perf_counter() - begin) * 1000)
        begin = time.perf_counter()
        pipeline.store.vectorstore.similarity_search(item.question, k=4)
        recipe.append((time.perf_counter() - begin) * 1000)
    figures = {
        "questions": len(latencies),
        "load_seconds": round(load_seconds, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "mean_ms": round(statistics.mean(latencies), 1),
        "max_ms": round(max(latencies), 1),
        "embedding_p50_ms": round(percentile(embedding, 50), 1),
        "embedding_p95_ms": round(percentile(embedding, 95), 1),
        "langchain_top4_p50_ms": round(percentile(recipe, 50), 1),
        "langchain_top4_p95_ms": round(percentile(recipe, 95), 1),
        "p50_over_embedding": round(percentile(latencies, 50) / percentile(embedding, 50), 2),
        "p50_over_langchain_top4": round(percentile(latencies, 50) / percentile(recipe, 50), 2),
        "step_median_ms": {
            k: round(statistics.median(v), 1) for k, v in steps.items() if k != "total"
        },
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0),
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
