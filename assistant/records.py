"""Append-only records of answers and feedback, with personal details redacted first."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path
from typing import Any

from assistant.answering.answer import Answer
from assistant.privacy import redact

_LOCK = threading.Lock()


def append_jsonl(path: Path, record: dict[str, Any]) -> None:
    """Append one JSON line and flush it to disk, so a crash loses nothing already written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, ensure_ascii=False) + "\n"
    with _LOCK, path.open("a", encoding="utf-8") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class ConversationRecords:
    """What is kept: redacted questions, the kind of answer and which sources it cited."""

    def __init__(self, log_dir: Path) -> None:
        self.answers_path = log_dir / "answers.jsonl"
        self.feedback_path = log_dir / "feedback.jsonl"

    def record_answer(self, answer: Answer, seconds: float) -> None:
        """Log one answer (never the parent's personal details)."""
        append_jsonl(
            self.answers_path,
            {
                "time": _now(),
                "question": redact(answer.question),
                "standalone_question": redact(answer.standalone_question),
                "kind": str(answer.kind),
                "status": answer.status,
                "sources": [c.doc_id for c in answer.citations],
                "seconds": round(seconds, 3),
            },
        )

    def record_feedback(
        self, question: str, answer_text: str, helpful: bool, comment: str = ""
    ) -> None:
        """Log a thumbs up or down on an answer, with an optional comment."""
        append_jsonl(
            self.feedback_path,
            {
                "time": _now(),
                "question": redact(question),
                "answer": redact(answer_text),
                "helpful": helpful,
                "comment": redact(comment),
            },
        )
