"""`python -m evals run|gate|beir|safety`: offline evaluation of the assistant (see evals/README.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import assistant  # noqa: F401  (offline environment first)
from assistant.config import PROJECT_ROOT, Settings
from evals.dataset import DatasetError, EvalItem, load_items
from evals.gate import check_gate, load_gate


def _progress(number: int, total: int) -> None:
    if number % 25 == 0 or number == total:
        print(f"  {number}/{total} items", file=sys.stderr, flush=True)


def evaluate(
    items: list[EvalItem], settings: Settings, baselines: bool, label: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run the pipeline (and optionally the baselines) over the items; return summary and results."""
    from assistant.pipeline import AnswerPipeline
    from evals.runner import run_items, summarise
    from evals.systems import bm25_system, langchain_dense_system, pipeline_system

    pipeline = AnswerPipeline.load(settings, progress=lambda m: print(m, file=sys.stderr))
    print(f"Running {len(items)} items through the pipeline ...", file=sys.stderr)
    results = run_items(items, pipeline_system(pipeline), _progress)
    summary = summarise(results)
    summary.update(set=label, generated=dt.datetime.now().isoformat(timespec="seconds"))
    if baselines:
        summary["baselines"] = {}
        for name, system in (
            (
                "LangChain dense top-4 (no fusion, rerank or guards)",
                langchain_dense_system(pipeline),
            ),
            ("BM25 only, top-4", bm25_system(pipeline)),
        ):
            print(f"Running baseline: {name} ...", file=sys.stderr)
            baseline = summarise(run_items(items, system))
            summary["baselines"][name] = baseline
        summary["lift"] = {
            name: {
                "hit_at_5": (summary["retrieval"]["hit_at_5"] or 0)
                - (b["retrieval"]["hit_at_5"] or 0),
                "mrr": (summary["retrieval"]["mrr"] or 0) - (b["retrieval"]["mrr"] or 0),
                "must_include_pass_rate": summary["answer"]["must_include_pass_rate"]
                - b["answer"]["must_include_pass_rate"],
                "behaviour_accuracy": summary["behaviour"]["accuracy"] - b["behaviour"]["accuracy"],
            }
            for name, b in summary["baselines"].items()
        }
    return summary, results


def save(out: Path, summary: dict[str, Any], results: list[dict[str, Any]], title: str) -> None:
    """results.jsonl, summary.json and report.html in the output folder."""
    from evals.report import render_report
    from evals.runner import write_results

    write_results(out, results, summary)
    (out / "report.html").write_text(render_report(summary, results, title), encoding="utf-8")
    print(f"Wrote {out / 'results.jsonl'}, {out / 'summary.json'} and {out / 'report.html'}")


def side_by_side(summary: dict[str, Any]) -> list[str]:
    """One line per system: facts stated, hit@3, behaviour and how long the answers are."""

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value * 100:5.1f} %"

    systems = {"ours": summary, **summary.get("baselines", {})}
    lines = [f"{'system':52} {'facts':>8} {'hit@3':>8} {'behav.':>8} {'words':>6}"]
    for name, s in systems.items():
        words = s.get("length", {}).get("words_mean")
        lines.append(
            f"{name[:52]:52} {pct(s['answer']['must_include_pass_rate']):>8} "
            f"{pct(s['retrieval'].get('hit_at_3')):>8} {pct(s['behaviour']['accuracy']):>8} "
            f"{'n/a' if words is None else f'{words:.0f}':>6}"
        )
    return lines


def print_headlines(summary: dict[str, Any]) -> None:
    """The headline figures on the console."""
    from evals.report import headline_rows

    for name, value in headline_rows(summary):
        print(f"{name:48} {value}")
    for line in side_by_side(summary):
        print(line)
    for name, lift in summary.get("lift", {}).items():
        print(
            f"Lift over {name}: hit@5 {lift['hit_at_5'] * 100:+.1f} points, facts stated "
            f"{lift['must_include_pass_rate'] * 100:+.1f} points, behaviour "
            f"{lift['behaviour_accuracy'] * 100:+.1f} points"
        )


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m evals", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run an evaluation set and write a report")
    run.add_argument("--set", type=Path, required=True, help="JSONL evaluation set")
    run.add_argument("--out", type=Path, help="output folder (default reports/<set name>)")
    run.add_argument("--baseline", action="store_true", help="also run the baselines")
    run.add_argument(
        "--today", type=dt.date.fromisoformat, help="date the deadline calculator counts from"
    )
    gate = commands.add_parser(
        "gate", help="run the gate set and fail if a figure falls below its threshold"
    )
    gate.add_argument("--set", type=Path, help="override the set named in evals/gate.yaml")
    gate.add_argument(
        "--summary", type=Path, help="check an existing summary.json instead of running"
    )
    gate.add_argument("--out", type=Path, default=PROJECT_ROOT / "reports" / "gate")
    beir = commands.add_parser("beir", help="evaluate the retriever on a BEIR-layout dataset")
    beir.add_argument(
        "--data",
        type=Path,
        required=True,
        help="folder with corpus.jsonl, queries.jsonl, qrels/test.tsv",
    )
    safety = commands.add_parser(
        "safety", help="measure the safeguarding tiers on the safety bank and other sets"
    )
    safety.add_argument(
        "--set", type=Path, action="append", help="JSONL set (repeatable; default: dev sets)"
    )
    safety.add_argument(
        "--frozen", action="store_true", help="the frozen test halves, figures only (no items)"
    )
    args = parser.parse_args(argv)

    if args.command == "safety":
        from evals.safety import main as safety_main

        return safety_main(args.set, args.frozen)
    if args.command == "beir":
        from evals.beir import evaluate_beir

        try:
            scores = evaluate_beir(args.data, Settings())
        except (FileNotFoundError, KeyError, json.JSONDecodeError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(json.dumps({k: round(v, 4) for k, v in scores.items()}, indent=2))
        return 0

    config = load_gate()
    today = getattr(args, "today", None) or config.get("today")
    settings = Settings(today=today)
    set_path = args.set or PROJECT_ROOT / config["set"]
    if args.command == "gate" and args.summary:
        summary = json.loads(args.summary.read_text(encoding="utf-8"))
    else:
        try:
            items = load_items(set_path)
        except DatasetError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        out = args.out or PROJECT_ROOT / "reports" / set_path.stem
        label = str(
            set_path.relative_to(PROJECT_ROOT)
            if set_path.is_relative_to(PROJECT_ROOT)
            else set_path
        )
        summary, results = evaluate(items, settings, getattr(args, "baseline", False), label)
        save(out, summary, results, f"Evaluation: {set_path.name}")
        print_headlines(summary)
    if args.command == "run":
        return 0
    checks = check_gate(summary, config)
    for check in checks:
        print(check.line())
    failed = [c for c in checks if not c.ok]
    print(
        "GATE FAILED" if failed else "GATE PASSED",
        f"({len(checks) - len(failed)}/{len(checks)} thresholds met)",
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
