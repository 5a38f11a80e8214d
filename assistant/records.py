"""What the chat keeps: each answer and any feedback on it, redacted, in the record store
(assistant/feedback/store.py). Logs written before the store existed are imported once."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from assistant.answering.answer import Answer
from assistant.config import get_settings
from assistant.feedback.legacy import import_legacy_logs
from assistant.feedback.store import DocumentRef, RecordStore, sqlite_url

# Nearest documents kept for an answer: enough to say what a "not covered" question was about.
NEAREST_KEPT = 3


def documents_of(answer: Answer) -> list[DocumentRef]:
    """The documents an answer cited (by number) and the nearest ones search ranked."""
    cited = [DocumentRef(c.doc_id, c.title, c.collection, "cited", c.n) for c in answer.citations]
    ranked = answer.debug.get("ranked_docs", []) if isinstance(answer.debug, dict) else []
    nearest = [
        DocumentRef(str(doc_id), role="nearest", position=rank)
        for rank, doc_id in enumerate(ranked[:NEAREST_KEPT], start=1)
    ]
    return cited + nearest


class ConversationRecords:
    """Records answers and feedback for the web chat (thread-safe).

    `db_url` defaults to SEND_FEEDBACK_DB_URL, else a SQLite file in `log_dir`.
    """

    def __init__(self, log_dir: Path, db_url: str | None = None) -> None:
        settings = get_settings()
        self.store = RecordStore(
            db_url or settings.feedback_db_url or sqlite_url(log_dir),
            max_comment_chars=settings.feedback_comment_max_chars,
        )
        for line in import_legacy_logs(log_dir, self.store):
            print(f"Imported the old log {line} into the record store.")

    def record_answer(self, answer: Answer, seconds: float) -> int:
        """Store one answer (never the parent's personal details); returns its id.

        Raises RecordsUnavailable (an OSError) if the database cannot be written.
        """
        return self.store.add_answer(
            question=answer.question,
            standalone_question=answer.standalone_question,
            answer=answer.text,
            kind=str(answer.kind),
            status=answer.status,
            safety=answer.safety,
            seconds=round(seconds, 3),
            documents=documents_of(answer),
        )

    def record_feedback(
        self, answer_id: int, helpful: bool, reasons: Iterable[str] = (), comment: str = ""
    ) -> int:
        """Store helpful / not helpful on an answer; returns the feedback's id.

        Raises FeedbackRefused (unknown answer or reason, comment too long) or RecordsUnavailable.
        """
        return self.store.add_feedback(answer_id, helpful, reasons, comment)

    def revise_feedback(
        self, feedback_id: int, helpful: bool, reasons: Iterable[str] = (), comment: str = ""
    ) -> None:
        """Add reasons and a comment to feedback already given, or change its verdict."""
        self.store.revise_feedback(feedback_id, helpful, reasons, comment)
