"""`python -m evals safety`: the safeguarding tiers measured on the safety bank and the other sets.

The check runs first in the pipeline and sees only the message, so it is measured on its own
(the same `SafeguardingCheck` the pipeline calls, which needs no index): for each set, recall of
risk items at any tier and at the urgent tier, and on non-risk items the urgent false alarms
and the possible-risk boxes, with every miss listed.

Item formats: the safety bank (`message`, `tier` urgent|possible|none) and the evaluation sets
(`question`, `expected_behaviour`; `urgent_signpost` items are urgent, the rest non-risk).
Items of a frozen test half (a file name ending `_test.jsonl`, `_test2.jsonl`, ...) are never
printed: their misses go to reports/safety/<set>_misses.jsonl for the product owner to read
after the change is settled. `--frozen` runs the frozen halves; every run also writes its
figures alone to reports/safety/summary.json.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.config import PROJECT_ROOT, Settings
from evals.dataset import load_items

DEFAULT_SETS = [
    "evals/datasets/safety_bank_dev.jsonl",
    "evals/datasets/safety_bank_dev2.jsonl",
    "evals/datasets/safety_bank_dev3.jsonl",
    "evals/datasets/safety_bank_dev4.jsonl",
    "evals/datasets/safety_bank_dev5.jsonl",
    "evals/datasets/heldout_safety.jsonl",
    "evals/datasets/heldout_safety_2.jsonl",
    "evals/datasets/heldout_safety_3.jsonl",
    "evals/datasets/parents_dev.jsonl",
    "evals/datasets/parents_dev4.jsonl",
    "evals/datasets/parents_dev5.jsonl",
    "evals/datasets/send_eval.jsonl",
]
# The frozen halves the issue's targets are judged on (`--frozen`): both banks' test halves and
# the parents' test halves (their ordinary items). Run only as a whole; misses go unread to files.
FROZEN_SETS = [
    "evals/datasets/safety_bank_test.jsonl",
    "evals/datasets/safety_bank_test2.jsonl",
    "evals/datasets/safety_bank_test3.jsonl",
    "evals/datasets/safety_bank_test4.jsonl",
    "evals/datasets/parents_test.jsonl",
    "evals/datasets/parents_test2.jsonl",
    "evals/datasets/parents_test3.jsonl",
    "evals/datasets/parents_test4.jsonl",
    "evals/datasets/parents_test5.jsonl",
]


@dataclass(frozen=True)
class Item:
    """One message and its expected tier (urgent, possible or none)."""

    id: str
    message: str
    tier: str


def load(path: Path) -> list[Item]:
    """The items of a safety bank (rows with a `tier`), or of an evaluation set (read and checked
    by `evals.dataset.load_items`; an urgent_signpost item is urgent, any other none)."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if lines and "tier" in json.loads(lines[0]):
        rows = [json.loads(line) for line in lines]
        return [Item(row["id"], row["message"], row["tier"]) for row in rows]
    return [
        Item(
            item.id,
            item.question,
            "urgent" if item.expected_behaviour == "urgent_signpost" else "none",
        )
        for item in load_items(path)
    ]


def is_frozen(path: Path) -> bool:
    """Whether a set is a frozen test half (`*_test.jsonl`, `*_test2.jsonl`, ...), whose items
    are never printed."""
    return re.search(r"_test\d*$", path.stem) is not None


def measure(items: list[Item], tiers: list[str]) -> dict[str, Any]:
    """The figures for one set, given the tier the check gave each item."""

    def share(hits: int, total: int) -> str:
        return f"{hits} of {total} ({hits / total * 100:.1f} %)" if total else "n/a"

    pairs = list(zip(items, tiers, strict=True))
    risk = [(i, t) for i, t in pairs if i.tier != "none"]
    urgent = [(i, t) for i, t in pairs if i.tier == "urgent"]
    ordinary = [(i, t) for i, t in pairs if i.tier == "none"]
    return {
        "any_tier_recall": share(sum(t != "none" for _, t in risk), len(risk)),
        "urgent_recall": share(sum(t == "urgent" for _, t in urgent), len(urgent)),
        "urgent_false_alarms": share(sum(t == "urgent" for _, t in ordinary), len(ordinary)),
        "possible_boxes_on_ordinary": share(
            sum(t == "possible_risk" for _, t in ordinary), len(ordinary)
        ),
        "misses": [
            {"id": i.id, "expected": i.tier, "got": t, "message": i.message}
            for i, t in pairs
            if (i.tier != "none" and t == "none")
            or (i.tier == "urgent" and t != "urgent")
            or (i.tier == "none" and t != "none")
        ],
    }


def run(sets: list[Path], settings: Settings) -> int:
    """Measure each set and print its figures (and misses, except for a frozen test half)."""
    import time

    from assistant.answering.safeguarding import SafeguardingCheck
    from assistant.corpus.embeddings import SentenceVectors, load_embeddings

    check = SafeguardingCheck(SentenceVectors(load_embeddings(settings)))
    out = PROJECT_ROOT / "reports" / "safety"
    out.mkdir(parents=True, exist_ok=True)
    totals: dict[str, dict[str, Any]] = {}
    for path in sets:
        items = load(path)
        start = time.perf_counter()
        tiers = [check.check(item.message).tier for item in items]
        per_item = (time.perf_counter() - start) * 1000 / max(len(items), 1)
        figures = measure(items, tiers)
        misses = figures.pop("misses")
        totals[path.stem] = figures
        print(f"\n{path.name} ({len(items)} items, {per_item:.1f} ms per message)")
        for name, value in figures.items():
            print(f"  {name:28} {value}")
        if is_frozen(path):
            target = out / f"{path.stem}_misses.jsonl"
            target.write_text("".join(json.dumps(m) + "\n" for m in misses), encoding="utf-8")
            print(f"  {len(misses)} misses written to {target} (frozen half: not printed)")
            continue
        for miss in misses:
            text = miss["message"].replace("\n", " ")
            print(f"  - {miss['id']} expected {miss['expected']}, got {miss['got']}: {text[:160]}")
    summary = out / "summary.json"
    summary.write_text(json.dumps(totals, indent=2) + "\n", encoding="utf-8")
    print(f"\nFigures (no items) written to {summary}")
    return 0


def main(paths: list[Path] | None, frozen: bool = False) -> int:
    """Entry point for the `safety` command: the sets named, or with `frozen` the frozen halves
    (FROZEN_SETS), or else the development sets (DEFAULT_SETS)."""
    names = FROZEN_SETS if frozen else DEFAULT_SETS
    sets = paths or [PROJECT_ROOT / name for name in names]
    missing = [p for p in sets if not p.exists()]
    if missing:
        print(f"error: no such set: {missing[0]}", file=sys.stderr)
        return 2
    return run(sets, Settings())
