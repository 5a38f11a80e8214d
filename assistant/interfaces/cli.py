"""Command line: `python -m assistant ask "question" [--json] [--history FILE] [--batch FILE]`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from assistant.answering.answer import Answer


class InputError(ValueError):
    """A history or batch file that cannot be used, with the reason."""


def read_history(path: Path) -> list[dict[str, str]]:
    """A JSON list of {role, content} turns."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"history file {path} does not exist") from exc
    except json.JSONDecodeError as exc:
        raise InputError(
            f"history file {path} is not valid JSON ({exc.msg}, line {exc.lineno})"
        ) from exc
    return validate_history(data, str(path))


def validate_history(data: Any, where: str) -> list[dict[str, str]]:
    """Check a history is a list of {role: user|assistant, content: text} turns."""
    if not isinstance(data, list):
        raise InputError(f"{where}: history must be a JSON list of {{role, content}} turns")
    turns = []
    for number, turn in enumerate(data, start=1):
        if not isinstance(turn, dict) or turn.get("role") not in ("user", "assistant"):
            raise InputError(f"{where}: turn {number} needs role 'user' or 'assistant'")
        if not isinstance(turn.get("content"), str):
            raise InputError(f"{where}: turn {number} needs text in 'content'")
        turns.append({"role": str(turn["role"]), "content": str(turn["content"])})
    return turns


def read_batch(path: Path) -> list[tuple[str, list[dict[str, str]]] | InputError]:
    """JSONL of {question, history?}; a bad line becomes an InputError in its place."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise InputError(f"batch file {path} does not exist") from exc
    items: list[tuple[str, list[dict[str, str]]] | InputError] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path.name} line {number}"
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or not isinstance(record.get("question"), str):
                raise InputError(f"{where}: needs a 'question' string")
            history = validate_history(record.get("history") or [], where)
            items.append((record["question"], history))
        except json.JSONDecodeError as exc:
            items.append(InputError(f"{where}: not valid JSON ({exc.msg})"))
        except InputError as exc:
            items.append(exc)
    return items


def render(answer: Answer, as_json: bool) -> str:
    """The answer as JSON (one line) or as readable text."""
    if as_json:
        return json.dumps(answer.to_json(), ensure_ascii=False)
    return f"[{answer.kind}]\n{answer.text}"


def main(argv: list[str] | None = None) -> int:
    """Entry point for `python -m assistant`."""
    parser = argparse.ArgumentParser(prog="python -m assistant", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    ask = commands.add_parser("ask", help="answer a question (or a batch of them)")
    ask.add_argument("question", nargs="?", help="the question to answer")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument("--history", type=Path, help="JSON list of earlier {role, content} turns")
    ask.add_argument(
        "--batch", type=Path, help="JSONL of {question, history?}: one result per line"
    )
    args = parser.parse_args(argv)

    if not args.question and not args.batch:
        parser.error("give a question, or --batch FILE")
    try:
        history = read_history(args.history) if args.history else []
        batch = read_batch(args.batch) if args.batch else None
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    from assistant.pipeline import AnswerPipeline

    pipeline = AnswerPipeline.load(progress=lambda message: print(message, file=sys.stderr))
    if batch is None:
        print(render(pipeline.answer(args.question, history), args.json))
        return 0
    failures = 0
    for item in batch:
        if isinstance(item, InputError):
            failures += 1
            print(json.dumps({"error": str(item)}), flush=True)
            continue
        question, turns = item
        print(render(pipeline.answer(question, turns), as_json=True), flush=True)
    return 1 if failures else 0
