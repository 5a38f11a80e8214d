"""Background ingest for the staff area: `python ingest.py` run as a child process, its progress
lines kept for the page, the chat answering from the live index generation throughout.

Why a child process rather than a thread: the ingest's CPU-heavy embedding and its memory stay
out of the process serving the chat, and an ingest that crashes or is killed cannot take the
chat down (ingest.py's generations leave the previous index serving).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from filelock import FileLock, Timeout

from assistant.config import PROJECT_ROOT, Settings
from assistant.corpus.ingest import ingest_lock_path

IngestState = Literal["idle", "running", "done", "failed"]
# Progress lines kept for the page (the newest ones): a full rebuild prints a few hundred.
MAX_LINES = 500


@dataclass
class IngestStatus:
    """What the staff area shows about the latest background ingest."""

    state: IngestState = "idle"
    lines: list[str] = field(default_factory=list)
    started: dt.datetime | None = None
    finished: dt.datetime | None = None
    summary: str = ""


class IngestRunner:
    """Runs one ingest at a time in the background and reports its progress.

    `on_done` is called (on the runner's own thread) after an ingest that succeeded, e.g. to
    make the chat reload at once rather than within its next check.
    """

    def __init__(self, settings: Settings, on_done: Callable[[], None] | None = None) -> None:
        self.settings = settings
        self.on_done = on_done
        self._status = IngestStatus()
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None
        self._followed = threading.Event()  # set when the latest ingest's ending is recorded
        self._followed.set()

    def start(self) -> bool:
        """Start an ingest; False (and nothing started) when one is already running, in this
        process or in another one on this machine (the ingest lock is held)."""
        with self._lock:
            if self._status.state == "running":
                return False
            if _lock_held(self.settings):
                return False
            self._status = IngestStatus(state="running", started=_now())
            self._followed = threading.Event()
            self._process = subprocess.Popen(
                [sys.executable, str(PROJECT_ROOT / "ingest.py")],
                cwd=PROJECT_ROOT,
                env=settings_environment(self.settings),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                encoding="utf-8",
                errors="replace",
            )
        threading.Thread(target=self._follow, args=(self._process,), daemon=True).start()
        return True

    def status(self) -> IngestStatus:
        """A copy of the current status (safe to read while the ingest runs)."""
        with self._lock:
            current = self._status
            return IngestStatus(
                current.state,
                list(current.lines),
                current.started,
                current.finished,
                current.summary,
            )

    def wait(self, timeout: float | None = None) -> IngestStatus:
        """Block until the running ingest (if any) ends; returns the status then."""
        self._followed.wait(timeout)
        return self.status()

    def _follow(self, process: subprocess.Popen[str]) -> None:
        followed = self._followed
        try:
            assert process.stdout is not None
            for line in process.stdout:
                # A progress bar redraws itself with carriage returns: keep its last state.
                self._add_line(line.rstrip("\n").rsplit("\r", 1)[-1])
            code = process.wait()
            if code == 0 and self.on_done is not None:
                try:
                    self.on_done()
                except Exception as exc:  # the index switched; only the reload failed
                    self._add_line(
                        f"The chat could not reload the new index at once ({exc}); "
                        "it will within a few seconds."
                    )
            with self._lock:
                self._status.state = "done" if code == 0 else "failed"
                self._status.finished = _now()
                self._status.summary = _summary(self._status.lines, code)
        finally:
            followed.set()

    def _add_line(self, line: str) -> None:
        with self._lock:
            self._status.lines.append(line)
            del self._status.lines[:-MAX_LINES]


def settings_environment(settings: Settings) -> dict[str, str]:
    """The environment that gives a child process these same settings (SEND_* variables, and
    CHROMA_HOST/CHROMA_PORT for a Chroma server)."""
    env = dict(os.environ)
    for name, value in settings.model_dump().items():
        key = {"chroma_host": "CHROMA_HOST", "chroma_port": "CHROMA_PORT"}.get(
            name, f"SEND_{name.upper()}"
        )
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value.isoformat() if isinstance(value, dt.date) else str(value)
    return env


def _lock_held(settings: Settings) -> bool:
    path = ingest_lock_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(path, timeout=0):
            return False
    except Timeout:
        return True


def _summary(lines: list[str], code: int) -> str:
    if code == 0:
        found = [line for line in lines if line.startswith("Indexed ")]
        return found[-1] if found else "The ingest finished."
    reason = lines[-1] if lines else f"exit status {code}"
    return f"The ingest failed ({reason}); the chat keeps answering from the previous index."


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
