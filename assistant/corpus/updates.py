"""Ingest in the background, for the staff area: start it, and read its progress.

The simplest real version: one thread runs ingest_corpus with a progress callback that collects
the lines, then calls on_done (the app refreshes the answer pipeline there).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

from filelock import FileLock, Timeout

from assistant.config import Settings

State = Literal["idle", "running", "done", "failed"]


@dataclass
class IngestStatus:
    """Where the latest background ingest is: its state, progress lines and times."""

    state: State = "idle"
    lines: list[str] = field(default_factory=list)
    started: dt.datetime | None = None
    finished: dt.datetime | None = None
    summary: str = ""


class IngestRunner:
    """Runs one ingest at a time in a background thread."""

    def __init__(self, settings: Settings, on_done: Callable[[], None] | None = None) -> None:
        self.settings = settings
        self.on_done = on_done
        self._status = IngestStatus()
        self._lock = threading.Lock()

    def start(self) -> bool:
        """Start an ingest; False when one is already running, here or in another process."""
        from assistant.corpus.ingest import ingest_lock_path

        with self._lock:
            if self._status.state == "running":
                return False
            lock = ingest_lock_path(self.settings)
            lock.parent.mkdir(parents=True, exist_ok=True)
            try:  # another process holds the index's ingest lock
                with FileLock(lock, timeout=0):
                    pass
            except Timeout:
                return False
            now = dt.datetime.now(dt.UTC)
            self._status = IngestStatus(state="running", started=now)
        threading.Thread(target=self._run, name="staff-ingest", daemon=True).start()
        return True

    def status(self) -> IngestStatus:
        """A copy of the current status (safe to read while the ingest runs)."""
        with self._lock:
            return replace(self._status, lines=list(self._status.lines))

    def _progress(self, message: str) -> None:
        with self._lock:
            self._status.lines.append(message)

    def _run(self) -> None:
        from assistant.corpus.embeddings import LazyEmbeddings
        from assistant.corpus.index import ChunkStore
        from assistant.corpus.ingest import ingest_corpus

        state: State = "failed"
        try:
            store = ChunkStore(self.settings, LazyEmbeddings(self.settings))
            report = ingest_corpus(self.settings, store, self._progress)
            summary = report.summary()
            if report.ok:
                state = "done"
                if self.on_done is not None:
                    self.on_done()
        except Exception as exc:  # shown to staff; the previous index keeps serving
            summary = f"The ingest failed: {exc}"
        with self._lock:
            self._status.state = state
            self._status.summary = summary
            self._status.finished = dt.datetime.now(dt.UTC)
