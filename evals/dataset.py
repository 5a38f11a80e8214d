"""Evaluation items: the JSONL format documented in evals/README.md, loaded and checked."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

KINDS = (
    "factual",
    "procedural",
    "local_service",
    "timescale",
    "rights",
    "out_of_scope",
    "safeguarding",
    "follow_up",
)
BEHAVIOURS = ("answer", "decline", "urgent_signpost")


TOPICS_FILE = Path(__file__).with_name("topics.yaml")


class DatasetError(ValueError):
    """A dataset line that cannot be used, with its file and line number."""


@cache
def topic_sources() -> dict[str, list[str]]:
    """Blind writers' topics -> the corpus documents covering them (evals/topics.yaml)."""
    data: dict[str, list[str]] = yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class EvalItem:
    """One question, what the assistant should do with it, and how to check the answer."""

    id: str
    question: str
    kind: str
    expected_behaviour: str
    expected_sources: tuple[str, ...] = ()
    must_include: tuple[tuple[str, ...], ...] = ()
    must_not_include: tuple[str, ...] = ()
    history: tuple[dict[str, str], ...] = ()
    false_premise: bool = False
    paraphrase_of: str | None = None
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _check_regexes(patterns: list[str], where: str) -> None:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise DatasetError(f"{where}: bad regular expression {pattern!r} ({exc})") from exc


def parse_item(record: Any, where: str) -> EvalItem:
    """Validate one decoded JSON record."""
    if not isinstance(record, dict):
        raise DatasetError(f"{where}: each line must be a JSON object")
    for key in ("id", "question", "kind", "expected_behaviour"):
        if not isinstance(record.get(key), str) or not record[key].strip():
            raise DatasetError(f"{where}: '{key}' must be a non-empty string")
    if record["kind"] not in KINDS:
        raise DatasetError(f"{where}: kind {record['kind']!r} is not one of {', '.join(KINDS)}")
    if record["expected_behaviour"] not in BEHAVIOURS:
        raise DatasetError(f"{where}: expected_behaviour must be one of {', '.join(BEHAVIOURS)}")
    checks = record.get("must_include") or []
    if not isinstance(checks, list) or not all(
        isinstance(check, list) and check and all(isinstance(p, str) for p in check)
        for check in checks
    ):
        raise DatasetError(f"{where}: must_include must be a list of lists of regexes")
    for check in checks:
        _check_regexes(check, where)
    forbidden = record.get("must_not_include") or []
    if not isinstance(forbidden, list) or not all(isinstance(p, str) for p in forbidden):
        raise DatasetError(f"{where}: must_not_include must be a list of regexes")
    _check_regexes(forbidden, where)
    history = record.get("history") or []
    if not isinstance(history, list) or not all(
        isinstance(t, dict)
        and t.get("role") in ("user", "assistant")
        and isinstance(t.get("content"), str)
        for t in history
    ):
        raise DatasetError(f"{where}: history must be a list of {{role, content}} turns")
    sources = record.get("expected_sources") or []
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise DatasetError(f"{where}: expected_sources must be a list of doc ids or URLs")
    topics = record.get("topics") or []
    unknown = [t for t in topics if t not in topic_sources()]
    if unknown:
        raise DatasetError(f"{where}: unknown topic(s) {', '.join(map(str, unknown))}")
    if not sources and record["expected_behaviour"] == "answer":
        # Blind items name topics, not documents: take the documents that cover those topics.
        sources = list(dict.fromkeys(d for t in topics for d in topic_sources()[t]))
    known = {
        "id",
        "question",
        "kind",
        "expected_behaviour",
        "expected_sources",
        "must_include",
        "must_not_include",
        "history",
        "false_premise",
        "paraphrase_of",
        "notes",
    }
    return EvalItem(
        id=record["id"],
        question=record["question"],
        kind=record["kind"],
        expected_behaviour=record["expected_behaviour"],
        expected_sources=tuple(sources),
        must_include=tuple(tuple(check) for check in checks),
        must_not_include=tuple(forbidden),
        history=tuple({"role": t["role"], "content": t["content"]} for t in history),
        false_premise=bool(record.get("false_premise", False)),
        paraphrase_of=record.get("paraphrase_of") or None,
        notes=str(record.get("notes") or ""),
        extra={k: v for k, v in record.items() if k not in known},
    )


def load_items(path: Path) -> list[EvalItem]:
    """Every item in a JSONL file; raises DatasetError naming the first bad line."""
    if not path.exists():
        raise DatasetError(f"{path} does not exist")
    items: list[EvalItem] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path.name} line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{where}: not valid JSON ({exc.msg})") from exc
        item = parse_item(record, where)
        if item.id in seen:
            raise DatasetError(f"{where}: id {item.id!r} is used twice")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise DatasetError(f"{path} holds no items")
    return items
