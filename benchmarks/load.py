"""Load: simulated parents asking at once through the running app's API (127.0.0.1 only).

    python app.py &   # with SEND_QUESTIONS_PER_MINUTE_PER_ADDRESS=100000 (all users share 127.0.0.1)
    python benchmarks/load.py --url http://127.0.0.1:7860/ --users 32 64 --questions 4

Each simulated parent asks `--questions` questions one after another (bounded: at most 64
users x 20 questions, and `--max-seconds` for the whole run). Prints throughput, latency
percentiles and errors per concurrency level, and writes JSON (reports/load.json).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.interfaces.api_client import ask
from assistant.interfaces.web import EXAMPLES

QUESTIONS = [*EXAMPLES, "What is a SENCO?", "Can I appeal to the tribunal?"]


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` (0-1) of the sorted values fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def run_level(url: str, users: int, questions: int, deadline: float) -> dict[str, float | int]:
    """`users` threads, each asking `questions` questions; latencies in ms."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def parent(number: int) -> None:
        with httpx.Client() as client:
            for turn in range(questions):
                if time.monotonic() > deadline:
                    return
                question = QUESTIONS[(number + turn) % len(QUESTIONS)]
                started = time.perf_counter()
                try:
                    reply = ask(client, url, question, timeout_s=300)
                    problem = reply.error or ("" if len(reply.last_text()) > 20 else "empty")
                except httpx.HTTPError as exc:
                    problem = f"{type(exc).__name__}: {exc}"
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    (errors.append(problem) if problem else latencies.append(elapsed))

    started = time.perf_counter()
    threads = [threading.Thread(target=parent, args=(n,)) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {
        "users": users,
        "answers": len(latencies),
        "errors": len(errors),
        "first_error": errors[0][:200] if errors else "",
        "seconds": round(seconds, 1),
        "answers_per_s": round(len(latencies) / seconds, 2),
        "p50_ms": round(statistics.median(latencies)) if latencies else 0,
        "p95_ms": round(percentile(latencies, 0.95)) if latencies else 0,
        "p99_ms": round(percentile(latencies, 0.99)) if latencies else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:7860/")
    parser.add_argument("--users", type=int, nargs="+", default=[32, 64])
    parser.add_argument("--questions", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=900)
    parser.add_argument("--out", type=Path, default=Path("reports/load.json"))
    args = parser.parse_args()
    if urlparse(args.url).hostname not in ("127.0.0.1", "localhost"):
        parser.error("the load script only drives an app on this machine (127.0.0.1)")
    if max(args.users) > 64 or args.questions > 20:
        parser.error("bounded: at most 64 users and 20 questions each")
    deadline = time.monotonic() + args.max_seconds
    rows = [run_level(args.url, users, args.questions, deadline) for users in args.users]
    header = f"{'users':>5} {'answers':>7} {'errors':>6} {'answers/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    print(header)
    for r in rows:
        print(
            f"{r['users']:>5} {r['answers']:>7} {r['errors']:>6} {r['answers_per_s']:>9} "
            f"{r['p50_ms']:>7} {r['p95_ms']:>7} {r['p99_ms']:>7}"
        )
        if r["errors"]:
            print(f"      first error: {r['first_error']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"url": args.url, "levels": rows}, indent=2))


if __name__ == "__main__":
    main()
