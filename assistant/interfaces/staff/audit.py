"""The staff audit log: who did what, when, appended as one JSON line per action.

It names staff and documents only: no parent's question or answer is ever written here.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

AUDIT_FILE = "staff-audit.jsonl"


class AuditLog:
    """Append-only JSONL under the log folder (settings.log_dir / staff-audit.jsonl)."""

    def __init__(self, log_dir: Path) -> None:
        self.path = Path(log_dir) / AUDIT_FILE
        self._lock = threading.Lock()

    def record(self, who: str, action: str, **details: Any) -> None:
        """Append {time (UTC, ISO 8601), who, action, details}; OSError if it cannot be written."""
        entry = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "who": who,
            "action": action,
            "details": {key: str(value) for key, value in details.items()},
        }
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line)

    def entries(self) -> list[dict[str, Any]]:
        """Every entry so far, oldest first (empty if nothing was recorded)."""
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
