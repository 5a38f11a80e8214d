"""Staff commands: `python -m assistant gaps ...` and `python -m assistant retention ...`."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import TYPE_CHECKING

from assistant.config import get_settings

if TYPE_CHECKING:  # SQLAlchemy is imported only when a staff command runs, not for `ask`
    from assistant.feedback.store import RecordStore


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-01") from exc


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `gaps` and `retention` subcommands to the CLI's parser."""
    gaps = commands.add_parser(
        "gaps", help="what parents asked that the guidance does not cover, by topic"
    )
    gaps.add_argument("--since", type=_date, required=True, help="first day (YYYY-MM-DD), UTC")
    gaps.add_argument("--until", type=_date, help="day after the last one (YYYY-MM-DD)")
    gaps.add_argument("--format", choices=["md", "csv"], default="md")
    gaps.add_argument("--by", choices=["day", "week"], default="day", help="chart periods")
    retention = commands.add_parser("retention", help="delete records past the retention period")
    retention.add_argument(
        "--days", type=int, help="keep this many days (default SEND_RETENTION_DAYS)"
    )


def open_store() -> RecordStore:
    """The record store the web chat writes to (the same settings), with any logs written
    before it existed imported first (as the chat does at start), so none are left out."""
    from assistant.feedback.legacy import import_legacy_logs
    from assistant.feedback.store import RecordStore, sqlite_url

    settings = get_settings()
    store = RecordStore(settings.feedback_db_url or sqlite_url(settings.log_dir))
    for line in import_legacy_logs(settings.log_dir, store):
        print(f"Imported the old log {line} into the record store.", file=sys.stderr)
    return store


def run_command(args: argparse.Namespace) -> int:
    """Run `gaps` or `retention`; exit code 0, or 2 with a message on bad input or a
    database that cannot be used."""
    from assistant.feedback.gaps import build_report
    from assistant.feedback.report_text import as_csv, as_markdown
    from assistant.feedback.retention import apply_retention
    from assistant.feedback.store import RecordsUnavailable

    settings = get_settings()
    try:
        store = open_store()
        if args.command == "gaps":
            report = build_report(store, args.since, args.until, settings.topics_file, args.by)
            sys.stdout.write(as_csv(report) if args.format == "csv" else as_markdown(report))
        else:
            days = settings.retention_days if args.days is None else args.days
            print(apply_retention(store, settings.log_dir, days).summary())
    except (ValueError, RecordsUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
