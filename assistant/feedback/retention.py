"""Retention: records older than the period in the privacy notice are deleted.

Schedule `python -m assistant retention` daily (see README, "Privacy"); it is safe to run while
the chat is serving (SQLite's WAL mode lets the chat keep writing meanwhile).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from assistant.feedback.legacy import IMPORTED_SUFFIX
from assistant.feedback.store import RecordStore, utc_now


@dataclass(frozen=True)
class RetentionResult:
    """What one run deleted, and the cutoff (UTC) before which records were deleted."""

    cutoff: dt.datetime
    answers: int
    feedback: int
    old_logs: list[str]

    def summary(self) -> str:
        """One line for the staff member or the cron mail."""
        logs = (
            f"; removed the old imported logs {', '.join(self.old_logs)}" if self.old_logs else ""
        )
        return (
            f"Deleted {self.answers} answers and {self.feedback} feedback records stored before "
            f"{self.cutoff:%Y-%m-%d %H:%M} UTC{logs}."
        )


def apply_retention(
    store: RecordStore, log_dir: Path, days: int, now: dt.datetime | None = None
) -> RetentionResult:
    """Delete answers (with their documents and feedback) older than `days` days.

    Old JSON-lines logs already copied into the store (`*.jsonl.imported`) are removed too, as
    their records are now in the store and kept only as long as it keeps them.
    Raises ValueError if `days` is below 1 (0 would delete everything, by mistake).
    """
    if days < 1:
        raise ValueError(f"the retention period must be at least 1 day, not {days}")
    cutoff = (now or utc_now()) - dt.timedelta(days=days)
    answers, feedback = store.delete_older_than(cutoff)
    old_logs = sorted(p.name for p in log_dir.glob(f"*.jsonl*{IMPORTED_SUFFIX}") if p.is_file())
    for name in old_logs:
        (log_dir / name).unlink()
    return RetentionResult(cutoff, answers, feedback, old_logs)
