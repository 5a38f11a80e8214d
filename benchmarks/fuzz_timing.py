"""Time per hostile input: every generated fuzz question (tests/fuzz_cases.py, fixed seed)
answered in-process; prints the slowest requests and writes JSON (reports/fuzz_timing.json).

    OMP_NUM_THREADS=1 python benchmarks/fuzz_timing.py
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fuzz_cases import generate  # noqa: E402

import assistant  # noqa: E402, F401  (offline environment first)
from assistant.pipeline import AnswerPipeline  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("reports/fuzz_timing.json"))
    args = parser.parse_args()
    pipeline = AnswerPipeline.load()
    pipeline.answer("What is a SENCO?")  # warm up
    timings = []
    for case in generate():
        if case.question is None:
            continue
        started = time.perf_counter()
        pipeline.answer(case.question, case.history)
        timings.append(((time.perf_counter() - started) * 1000, len(case.question)))
    ms = sorted(t for t, _ in timings)
    slowest = sorted(timings, reverse=True)[:5]
    summary = {
        "requests": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p99_ms": round(ms[int(0.99 * (len(ms) - 1))], 1),
        "max_ms": round(ms[-1], 1),
        "over_2s": sum(t > 2000 for t in ms),
        "slowest": [{"ms": round(t, 1), "chars": n} for t, n in slowest],
    }
    print(f"{'requests':>8} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'over 2 s':>8}")
    print(
        f"{summary['requests']:>8} {summary['p50_ms']:>7} {summary['p99_ms']:>7} "
        f"{summary['max_ms']:>7} {summary['over_2s']:>8}"
    )
    print("slowest:", ", ".join(f"{s['ms']} ms ({s['chars']:,} chars)" for s in summary["slowest"]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
