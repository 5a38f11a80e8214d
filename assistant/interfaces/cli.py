"""Command line: `python -m assistant ask "question" [--json] [--history FILE] [--batch FILE]`,
`python -m assistant gaps --since DATE [--format md|csv]`, `python -m assistant retention`
and `python -m assistant staff-hash` (a staff password's hash, read without echo)."""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path
from typing import Any

from assistant.answering.answer import Answer
from assistant.feedback.commands import add_commands, run_command


class InputError(ValueError):
    """A history or batch file that cannot be used, with the reason."""


def _read_text(path: Path, what: str) -> str:
    """A file's UTF-8 text, or an InputError that says why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(f"{what} file {path} does not exist") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{what} file {path} is a folder, not a file") from exc
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{what} file {path} is not UTF-8 text (byte {exc.start}); save it as UTF-8"
        ) from exc
    except OSError as exc:
        raise InputError(f"{what} file {path} cannot be read ({exc.strerror})") from exc


def _parse_json(text: str, where: str) -> Any:
    """JSON, or an InputError naming the problem (nesting too deep counts as a problem)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON ({exc.msg}, line {exc.lineno})") from exc
    except RecursionError as exc:
        raise InputError(f"{where}: JSON nested too deeply") from exc


def read_history(path: Path) -> list[dict[str, str]]:
    """A JSON list of {role, content} turns; InputError if the file cannot be used."""
    where = f"history file {path}"
    return validate_history(_parse_json(_read_text(path, "history"), where), where)


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
    """JSONL of {question, history?}; a bad line (not UTF-8, not JSON, nested too deeply, wrong
    fields) becomes an InputError in its place, so every other line is still answered."""
    if path.is_dir():
        raise InputError(f"batch file {path} is a folder, not a file")
    try:
        raw_lines = path.read_bytes().splitlines()
    except FileNotFoundError as exc:
        raise InputError(f"batch file {path} does not exist") from exc
    except OSError as exc:
        raise InputError(f"batch file {path} cannot be read ({exc.strerror})") from exc
    items: list[tuple[str, list[dict[str, str]]] | InputError] = []
    for number, raw in enumerate(raw_lines, start=1):
        if not raw.strip():
            continue
        where = f"{path.name} line {number}"
        try:
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(f"{where}: not UTF-8 text (byte {exc.start})") from exc
            record = _parse_json(line, where)
            if not isinstance(record, dict) or not isinstance(record.get("question"), str):
                raise InputError(f"{where}: needs a 'question' string")
            history = validate_history(record.get("history") or [], where)
            items.append((record["question"], history))
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
    add_commands(commands)
    commands.add_parser(
        "staff-hash", help="make an argon2 hash of a staff password (for SEND_STAFF_USERS)"
    )
    args = parser.parse_args(argv)
    if args.command == "staff-hash":
        from assistant.interfaces.staff.auth import staff_hash_command

        return staff_hash_command()
    if args.command != "ask":
        return run_command(args)

    if not args.question and not args.batch:
        parser.error("give a question, or --batch FILE")
    try:
        history = read_history(args.history) if args.history else []
        batch = read_batch(args.batch) if args.batch else None
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    from assistant.pipeline import AnswerPipeline

    # A character the terminal cannot show is replaced rather than stopping the output.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    pipeline = AnswerPipeline.load(progress=lambda message: print(message, file=sys.stderr))
    if batch is None:
        print(render(pipeline.answer(args.question, history), args.json))
        return 0
    failures = 0
    for number, item in enumerate(batch, start=1):
        if isinstance(item, InputError):
            failures += 1
            print(json.dumps({"error": str(item)}), flush=True)
            continue
        question, turns = item
        try:
            line = render(pipeline.answer(question, turns), as_json=True)
        except Exception as exc:  # one question that breaks a step must not lose the rest
            failures += 1
            traceback.print_exc(file=sys.stderr)
            line = json.dumps({"error": f"item {number}: could not answer ({type(exc).__name__})"})
        print(line, flush=True)
    return 1 if failures else 0
