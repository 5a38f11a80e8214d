"""Record store speed: one answer (with its documents) and its feedback written, from 1 and
2 threads at once (the web chat's concurrency), and the gaps report over all of them.

    PYTHONPATH=. python benchmarks/record_store.py [--answers 2000] [--url sqlite:///...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path

from assistant.config import PROJECT_ROOT
from assistant.feedback.gaps import build_report
from assistant.feedback.store import DocumentRef, RecordStore

QUESTION = "My name is Jane Example, 07700 900123. Can my son get a taxi to school in Stoke?"
DOCUMENTS = [DocumentRef("school-and-post-16-transport", "School transport", "local_offer", "cited", 1)]
DOCUMENTS += [DocumentRef(d, role="nearest", position=i) for i, d in enumerate(
    ["school-and-post-16-transport", "sendiass-stoke", "about-stoke-local-offer"], 1)]  # fmt: skip


def write(store: RecordStore, count: int, seconds: list[float]) -> None:
    """Write `count` answers, each followed by feedback, recording each pair's time."""
    for number in range(count):
        started = time.perf_counter()
        answer_id = store.add_answer(
            question=QUESTION, answer="Answer text " * 80, kind="answered",
            status="answered", documents=DOCUMENTS,
        )  # fmt: skip
        store.add_feedback(answer_id, number % 3 != 0, ["wrong"] if number % 3 == 0 else [])
        seconds.append(time.perf_counter() - started)


def main() -> None:
    """Print the table and write reports/record_store.json."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=2000)
    parser.add_argument("--url", help="database URL (default: a new SQLite file)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    store = RecordStore(args.url or f"sqlite:///{folder / 'records.sqlite3'}")
    results = {}
    for threads in (1, 2):
        seconds: list[float] = []
        each = args.answers // threads
        workers = [threading.Thread(target=write, args=(store, each, seconds)) for _ in range(threads)]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        wall = time.perf_counter() - started
        ordered = sorted(seconds)
        results[f"{threads} thread(s)"] = {
            "pairs_per_s": round(len(seconds) / wall, 1),
            "p50_ms": round(statistics.median(ordered) * 1000, 2),
            "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
        }
    started = time.perf_counter()
    report = build_report(store, dt.date.today() - dt.timedelta(days=1), None,
                          PROJECT_ROOT / "evals" / "topics.yaml")  # fmt: skip
    results["gaps report"] = {
        "answers": report.answers, "seconds": round(time.perf_counter() - started, 2)
    }  # fmt: skip
    for name, figures in results.items():
        print(f"{name:14} {figures}")
    out = PROJECT_ROOT / "reports" / "record_store.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
