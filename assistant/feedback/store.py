"""The record store: every answer given and every piece of feedback, redacted, in one database.

SQLite (one file in `settings.log_dir`, WAL mode so the chat's answer threads and a staff
command can write and read at once) by default; `SEND_FEEDBACK_DB_URL` may name PostgreSQL
instead (install a driver, e.g. `psycopg`). Everything a parent typed passes through
`assistant.privacy.redact` here, so no caller can store a personal detail by mistake.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from assistant.answering.guard import clean_turn
from assistant.privacy import redact

# The reasons a parent may tick under "not helpful": stored key -> the words they see.
REASONS: dict[str, str] = {
    "wrong": "Wrong",
    "out_of_date": "Out of date",
    "did_not_answer": "Didn't answer my question",
    "hard_to_understand": "Hard to understand",
}
DATABASE_FILE = "records.sqlite3"

metadata = sa.MetaData()
answers = sa.Table(
    "answers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("time", sa.DateTime, nullable=False, index=True),  # UTC
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("standalone_question", sa.Text, nullable=False, default=""),
    sa.Column("answer", sa.Text, nullable=False, default=""),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("status", sa.String(64), nullable=False, default=""),
    sa.Column("safety", sa.String(32), nullable=False, default="none"),
    sa.Column("seconds", sa.Float, nullable=True),
)


def _answer_id() -> sa.Column[int]:
    """The answer a row belongs to (deleted with it)."""
    return sa.Column(
        "answer_id",
        sa.Integer,
        sa.ForeignKey("answers.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


# The documents an answer touched: the ones it cited, and the nearest ones search found
# (which say what a "not covered here" question was about).
answer_documents = sa.Table(
    "answer_documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _answer_id(),
    sa.Column("role", sa.String(16), nullable=False),  # "cited" or "nearest"
    sa.Column("position", sa.Integer, nullable=False),  # citation number, or search rank
    sa.Column("doc_id", sa.String(255), nullable=False),
    sa.Column("title", sa.Text, nullable=False, default=""),
    sa.Column("collection", sa.String(64), nullable=False, default=""),
)
feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _answer_id(),
    sa.Column("time", sa.DateTime, nullable=False, index=True),  # UTC, of the latest change
    sa.Column("helpful", sa.Boolean, nullable=False),
    sa.Column("reasons", sa.Text, nullable=False, default="[]"),  # JSON list of REASONS keys
    sa.Column("comment", sa.Text, nullable=False, default=""),
)
# Old JSONL logs already copied in (by content hash), so each is imported once.
imported_logs = sa.Table(
    "imported_logs",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("time", sa.DateTime, nullable=False),
    sa.Column("records", sa.Integer, nullable=False),
)


class FeedbackRefused(ValueError):
    """Feedback that cannot be stored as given; the message says why, in the parent's terms."""


class RecordsUnavailable(OSError):
    """The database could not be written or read (disk full, server down); says which."""


@dataclass(frozen=True)
class DocumentRef:
    """A document an answer touched. `role` is "cited" or "nearest"; `position` its number."""

    doc_id: str
    title: str = ""
    collection: str = ""
    role: str = "cited"
    position: int = 0


@dataclass
class AnswerRecord:
    """One stored answer with its documents and its feedback (the latest, if several)."""

    id: int
    time: dt.datetime
    question: str
    answer: str
    kind: str
    status: str
    documents: list[DocumentRef] = field(default_factory=list)
    helpful: bool | None = None
    reasons: list[str] = field(default_factory=list)
    comment: str = ""


def utc_now() -> dt.datetime:
    """The time now in UTC, without tzinfo (the form every row stores)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def new_id(result: sa.CursorResult[Any]) -> int:
    """The primary key an INSERT created."""
    key = result.inserted_primary_key
    assert key is not None  # every table here has an integer primary key
    return int(key[0])


def sqlite_url(log_dir: Path) -> str:
    """The default database: one SQLite file in the log folder."""
    return f"sqlite:///{(log_dir / DATABASE_FILE).resolve()}"


def _on_sqlite_connect(connection: Any, _record: Any) -> None:
    """WAL lets readers and one writer work at once; deleted rows are overwritten on disk
    (secure_delete), so retention really removes them; foreign keys checked."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def validate_feedback(
    reasons: Iterable[str], comment: str, max_comment_chars: int
) -> tuple[list[str], str]:
    """(the reasons as a list of known keys, the comment as safe plain text: lone surrogates
    and control characters replaced, redacted); FeedbackRefused names what is wrong otherwise."""
    chosen = list(dict.fromkeys(str(reason) for reason in reasons))
    unknown = [reason for reason in chosen if reason not in REASONS]
    if unknown:
        allowed = ", ".join(REASONS)
        raise FeedbackRefused(f"Unknown reason {unknown[0]!r}: choose from {allowed}.")
    if len(comment) > max_comment_chars:
        raise FeedbackRefused(
            f"Your comment is {len(comment):,} characters long: please keep it to "
            f"{max_comment_chars:,} or fewer."
        )
    return chosen, redact(clean_turn(comment, max_comment_chars).strip())


class RecordStore:
    """Answers and feedback in a SQL database (thread-safe: each call is one transaction)."""

    def __init__(self, url: str, max_comment_chars: int = 500) -> None:
        self.url = url
        self.max_comment_chars = max_comment_chars
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        connect_args = (
            {"timeout": 30, "check_same_thread": False} if url.startswith("sqlite") else {}
        )
        self.engine = sa.create_engine(url, connect_args=connect_args, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _on_sqlite_connect)
        with self._errors("open"):
            metadata.create_all(self.engine)

    def _errors(self, action: str) -> AbstractContextManager[None]:
        return _database_errors(action, self.engine.url.render_as_string(hide_password=True))

    def add_answer(
        self,
        *,
        question: str,
        kind: str,
        answer: str = "",
        standalone_question: str = "",
        status: str = "",
        safety: str = "none",
        seconds: float | None = None,
        documents: Sequence[DocumentRef] = (),
        time: dt.datetime | None = None,
    ) -> int:
        """Store one answer (question and answer text redacted); returns its id."""
        row = {
            "time": time or utc_now(),
            "question": redact(question),
            "standalone_question": redact(standalone_question),
            "answer": redact(answer),
            "kind": kind,
            "status": status,
            "safety": safety,
            "seconds": seconds,
        }
        with self._errors("save the answer"), self.engine.begin() as db:
            answer_id = new_id(db.execute(answers.insert().values(**row)))
            if documents:
                db.execute(
                    answer_documents.insert(),
                    [
                        {
                            "answer_id": answer_id,
                            "role": d.role,
                            "position": d.position,
                            "doc_id": d.doc_id,
                            "title": d.title,
                            "collection": d.collection,
                        }
                        for d in documents
                    ],
                )
        return answer_id

    def add_feedback(
        self,
        answer_id: int,
        helpful: bool,
        reasons: Iterable[str] = (),
        comment: str = "",
        time: dt.datetime | None = None,
    ) -> int:
        """Store feedback on a stored answer; returns its id.

        Raises FeedbackRefused for an unknown reason, a comment over the length limit, or an
        answer id this store never gave out.
        """
        chosen, cleaned = validate_feedback(reasons, comment, self.max_comment_chars)
        row = {
            "answer_id": answer_id,
            "time": time or utc_now(),
            "helpful": helpful,
            "reasons": json.dumps(chosen),
            "comment": cleaned,
        }
        try:
            # A single INSERT (no read first): the foreign key refuses an unknown answer, and
            # SQLite never has to upgrade a read transaction to a write one under load.
            with self._errors("save the feedback"), self.engine.begin() as db:
                return new_id(db.execute(feedback.insert().values(**row)))
        except IntegrityError as exc:
            raise FeedbackRefused(
                "Feedback can only be given on an answer this service sent."
            ) from exc

    def revise_feedback(
        self, feedback_id: int, helpful: bool, reasons: Iterable[str] = (), comment: str = ""
    ) -> None:
        """Replace a feedback's verdict, reasons and comment (a parent adding detail or
        changing their mind). FeedbackRefused as add_feedback, or for an unknown feedback id."""
        chosen, cleaned = validate_feedback(reasons, comment, self.max_comment_chars)
        change = {
            "time": utc_now(),
            "helpful": helpful,
            "reasons": json.dumps(chosen),
            "comment": cleaned,
        }
        with self._errors("save the feedback"), self.engine.begin() as db:
            done = db.execute(
                feedback.update().where(feedback.c.id == feedback_id).values(**change)
            )
        if done.rowcount != 1:
            raise FeedbackRefused("That feedback is no longer held here: please give it again.")

    def answers_between(
        self, since: dt.datetime, until: dt.datetime | None = None
    ) -> list[AnswerRecord]:
        """Answers stored from `since` (inclusive) to `until` (exclusive), oldest first, each
        with its documents and its latest feedback."""
        window = answers.c.time >= since
        if until is not None:
            window = sa.and_(window, answers.c.time < until)
        with self._errors("read the records"), self.engine.connect() as db:
            rows = db.execute(
                sa.select(answers).where(window).order_by(answers.c.time, answers.c.id)
            )
            found = {
                row.id: AnswerRecord(
                    row.id, row.time, row.question, row.answer, row.kind, row.status
                )
                for row in rows
            }
            if not found:
                return []
            ids = sa.select(answers.c.id).where(window)
            documents = db.execute(
                sa.select(answer_documents)
                .where(answer_documents.c.answer_id.in_(ids))
                .order_by(
                    answer_documents.c.answer_id,
                    answer_documents.c.role,
                    answer_documents.c.position,
                )
            )
            for d in documents:
                found[d.answer_id].documents.append(
                    DocumentRef(d.doc_id, d.title, d.collection, d.role, d.position)
                )
            opinions = db.execute(
                sa.select(feedback)
                .where(feedback.c.answer_id.in_(ids))
                .order_by(feedback.c.time, feedback.c.id)
            )
            for f in opinions:  # later feedback on the same answer replaces earlier
                record = found[f.answer_id]
                record.helpful, record.reasons, record.comment = (
                    bool(f.helpful),
                    json.loads(f.reasons),
                    f.comment,
                )
        return list(found.values())

    def delete_older_than(self, cutoff: dt.datetime) -> tuple[int, int]:
        """Delete answers stored before `cutoff` (UTC) with their documents and feedback.

        Returns (answers deleted, feedback deleted). With SQLite, the write-ahead log is then
        emptied into the main file, whose deleted pages were overwritten (secure_delete).
        """
        old = sa.select(answers.c.id).where(answers.c.time < cutoff)
        with self._errors("delete old records"), self.engine.begin() as db:
            gone_feedback = db.execute(feedback.delete().where(feedback.c.answer_id.in_(old)))
            db.execute(answer_documents.delete().where(answer_documents.c.answer_id.in_(old)))
            gone_answers = db.execute(answers.delete().where(answers.c.time < cutoff))
        if self.engine.dialect.name == "sqlite":
            with self._errors("tidy the database file"), self.engine.connect() as db:
                db.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return gone_answers.rowcount, gone_feedback.rowcount

    def close(self) -> None:
        """Close every pooled connection (the SQLite file can then be moved or deleted)."""
        self.engine.dispose()


@contextmanager
def _database_errors(action: str, where: str) -> Iterator[None]:
    """Turn a database failure into RecordsUnavailable naming what could not be done.

    IntegrityError passes through: it is about the input (an unknown answer), not the database.
    """
    try:
        yield
    except IntegrityError:
        raise
    except SQLAlchemyError as error:
        reason = getattr(error, "orig", None) or error
        raise RecordsUnavailable(f"could not {action} in {where}: {reason}") from error
