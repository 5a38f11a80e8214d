"""Run an evaluation set through a system and score every item."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.answering.verify import support_score
from evals.dataset import EvalItem
from evals.metrics import (
    SUPPORT_THRESHOLD,
    check_includes,
    forbidden_hits,
    hit_at,
    mean,
    ndcg_at,
    percentile,
    reciprocal_rank,
)
from evals.systems import Output, System

Progress = Callable[[int, int], None]


def score_item(item: EvalItem, output: Output) -> dict[str, Any]:
    """Every score for one item, plus the reasons it failed (if it did)."""
    result: dict[str, Any] = {
        "id": item.id,
        "kind": item.kind,
        "question": item.question,
        "history": list(item.history),
        "standalone_question": output.standalone_question,
        "expected_behaviour": item.expected_behaviour,
        "behaviour": output.behaviour,
        "answer_kind": output.kind,
        "answer": output.text,
        "citations": output.citations,
        "expected_sources": list(item.expected_sources),
        "ranked_docs": output.ranked_docs[:10],
        "false_premise": item.false_premise,
        "paraphrase_of": item.paraphrase_of,
        "latency_ms": round(output.seconds * 1000, 1),
        # Length of what the parent reads (the Sources list excluded), in words.
        "answer_words": len(output.text.split()),
        "debug": output.debug,
    }
    failures: list[str] = []
    if output.behaviour != item.expected_behaviour:
        failures.append(f"behaviour: expected {item.expected_behaviour}, got {output.behaviour}")
    scored_retrieval = item.expected_behaviour == "answer" and bool(item.expected_sources)
    if scored_retrieval:
        ranked, expected = output.ranked_docs, item.expected_sources
        gains = {source: 1.0 for source in expected}
        result["retrieval"] = {
            "hit_at_1": hit_at(ranked, expected, 1),
            "hit_at_3": hit_at(ranked, expected, 3),
            "hit_at_5": hit_at(ranked, expected, 5),
            "mrr": reciprocal_rank(ranked, expected),
            "ndcg_at_10": ndcg_at(ranked, gains, 10),
        }
        if not result["retrieval"]["hit_at_5"]:
            failures.append(f"retrieval: none of {', '.join(expected)} in the top 5")
    checks = check_includes(output.text, item.must_include)
    result["must_include"] = checks
    for passed, check in zip(checks, item.must_include, strict=True):
        if not passed:
            failures.append(f"missing: {' | '.join(check)}")
    forbidden = forbidden_hits(output.text, item.must_not_include)
    result["must_not_include_hits"] = forbidden
    failures.extend(f"forbidden: {pattern}" for pattern in forbidden)
    sentences = []
    for text, citation, passage in output.sentences:
        if citation is None:
            continue
        support = support_score(text, passage)
        sentences.append(
            {
                "text": text,
                "citation": citation,
                "support": round(support, 3),
                "supported": support >= SUPPORT_THRESHOLD,
            }
        )
    result["cited_sentences"] = sentences
    unsupported = [s for s in sentences if not s["supported"]]
    if unsupported:
        failures.append(f"unsupported citations: {len(unsupported)}")
    result["failures"] = failures
    result["passed"] = not failures
    return result


def run_items(
    items: list[EvalItem], system: System, progress: Progress | None = None
) -> list[dict[str, Any]]:
    """Score every item with one system."""
    results = []
    for number, item in enumerate(items, start=1):
        results.append(score_item(item, system(item)))
        if progress:
            progress(number, len(items))
    return results


def _rate(values: list[bool]) -> float | None:
    """Share of True values; None when there is nothing to measure (never reported as 0 %)."""
    return sum(values) / len(values) if values else None


def _gap_points(standalone: float | None, follow_up: float | None) -> float | None:
    """How many points follow-ups score below their standalone paraphrases."""
    if standalone is None or follow_up is None:
        return None
    return round((standalone - follow_up) * 100, 1)


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Set-level figures from per-item results."""
    retrieval = [r["retrieval"] for r in results if "retrieval" in r]
    checks = [c for r in results for c in r["must_include"]]
    sentences = [s for r in results for s in r["cited_sentences"]]
    by_id = {r["id"]: r for r in results}
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    for r in results:
        confusion[r["expected_behaviour"]][r["behaviour"]] += 1
    urgent = [r for r in results if r["expected_behaviour"] == "urgent_signpost"]
    ordinary = [r for r in results if r["expected_behaviour"] != "urgent_signpost"]
    out_of_scope = [r for r in results if r["kind"] == "out_of_scope"]
    follow_ups = [
        r
        for r in results
        if r["kind"] == "follow_up"
        and "retrieval" in r
        and r.get("paraphrase_of") in by_id
        and "retrieval" in by_id[r["paraphrase_of"]]
    ]
    premises = [r for r in results if r["false_premise"]]
    # Facts stated by follow-ups and by their standalone paraphrases (same keys, asked alone).
    paired = [r for r in results if r["kind"] == "follow_up" and r.get("paraphrase_of") in by_id]
    follow_facts = _rate([c for r in paired for c in r["must_include"]])
    standalone_facts = _rate([c for r in paired for c in by_id[r["paraphrase_of"]]["must_include"]])
    words = [r["answer_words"] for r in results if r["behaviour"] == "answer"]
    by_kind: dict[str, dict[str, Any]] = {}
    for kind in sorted({r["kind"] for r in results}):
        group = [r for r in results if r["kind"] == kind]
        kind_checks = [c for r in group for c in r["must_include"]]
        kind_retrieval = [r["retrieval"]["hit_at_5"] for r in group if "retrieval" in r]
        by_kind[kind] = {
            "items": len(group),
            "passed": sum(r["passed"] for r in group),
            "must_include_pass_rate": _rate(kind_checks),
            "behaviour_accuracy": _rate([r["behaviour"] == r["expected_behaviour"] for r in group]),
            "hit_at_5": mean(kind_retrieval) if kind_retrieval else None,
        }
    latencies = [r["latency_ms"] for r in results]
    follow_hit = mean([r["retrieval"]["hit_at_5"] for r in follow_ups]) if follow_ups else None
    standalone_hit = (
        mean([by_id[r["paraphrase_of"]]["retrieval"]["hit_at_5"] for r in follow_ups])
        if follow_ups
        else None
    )
    return {
        "items": len(results),
        "passed": sum(r["passed"] for r in results),
        "retrieval": {
            "items": len(retrieval),
            **{
                key: mean([m[key] for m in retrieval]) if retrieval else None
                for key in ("hit_at_1", "hit_at_3", "hit_at_5", "mrr", "ndcg_at_10")
            },
        },
        "answer": {
            "checks": len(checks),
            "must_include_pass_rate": _rate(checks),
            "items_all_checks_pass": sum(all(r["must_include"]) for r in results),
            "must_not_include_violations": sum(len(r["must_not_include_hits"]) for r in results),
        },
        "citations": {
            "sentences": len(sentences),
            "supported": sum(s["supported"] for s in sentences),
            "supported_share": _rate([s["supported"] for s in sentences]) if sentences else 1.0,
            "threshold": SUPPORT_THRESHOLD,
            "unsupported": [
                {"id": r["id"], "text": s["text"], "support": s["support"]}
                for r in results
                for s in r["cited_sentences"]
                if not s["supported"]
            ],
        },
        "behaviour": {
            "accuracy": _rate([r["behaviour"] == r["expected_behaviour"] for r in results]),
            "confusion": {k: dict(v) for k, v in sorted(confusion.items())},
        },
        "safeguarding": {
            "items": len(urgent),
            "recall": _rate([r["behaviour"] == "urgent_signpost" for r in urgent]),
            "ordinary_items": len(ordinary),
            "false_alarms": sum(r["behaviour"] == "urgent_signpost" for r in ordinary),
            "false_alarm_rate": _rate([r["behaviour"] == "urgent_signpost" for r in ordinary]),
        },
        "scope": {
            "out_of_scope_items": len(out_of_scope),
            "decline_rate": _rate([r["behaviour"] == "decline" for r in out_of_scope]),
        },
        "follow_up": {
            "pairs": len(follow_ups),
            "hit_at_5": follow_hit,
            "standalone_hit_at_5": standalone_hit,
            "gap_points": _gap_points(standalone_hit, follow_hit),
            "fact_pairs": len(paired),
            "facts": follow_facts,
            "standalone_facts": standalone_facts,
            "facts_gap_points": _gap_points(standalone_facts, follow_facts),
        },
        "length": {
            "answers": len(words),
            "words_mean": mean(words) if words else None,
            "words_p50": percentile(words, 50) if words else None,
        },
        "false_premise": {
            "items": len(premises),
            "passed": sum(r["passed"] for r in premises),
            "must_include_pass_rate": _rate([c for r in premises for c in r["must_include"]]),
        },
        "latency_ms": {
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "mean": mean(latencies),
        },
        "by_kind": by_kind,
    }


def write_results(out_dir: Path, results: list[dict[str, Any]], summary: dict[str, Any]) -> None:
    """results.jsonl (one line per item) and summary.json."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "results.jsonl").open("w", encoding="utf-8") as handle:
        for result in results:
            handle.write(json.dumps(result, ensure_ascii=False, default=str) + "\n")
    (out_dir / "summary.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
    )
