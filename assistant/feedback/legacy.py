"""Copy the JSON-lines logs written before the record store (data/logs/*.jsonl) into it, once.

Each file is imported in one transaction and remembered by its content hash, then renamed
`<name>.imported` (kept as a copy until the next retention run deletes it), so nothing
already written is lost and nothing is counted twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from assistant.feedback.store import (
    RecordStore,
    answer_documents,
    answers,
    feedback,
    imported_logs,
    new_id,
    utc_now,
)
from assistant.privacy import redact

ANSWERS_LOG = "answers.jsonl"
FEEDBACK_LOG = "feedback.jsonl"
IMPORTED_SUFFIX = ".imported"


def _time(value: Any) -> dt.datetime:
    """An ISO time from an old log as naive UTC; now if missing or unreadable."""
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return utc_now()
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def _lines(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The JSON objects in a log, and how many lines could not be read."""
    records, bad = [], 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            bad += 1
            continue
        if isinstance(record, dict):
            records.append(record)
        else:
            bad += 1
    return records, bad


def import_legacy_logs(log_dir: Path, store: RecordStore) -> list[str]:
    """Import answers.jsonl, then feedback.jsonl, from `log_dir`; returns one line per file
    imported ("answers.jsonl: 12 records, 0 unreadable lines"), empty if there was none."""
    done = []
    for name in (ANSWERS_LOG, FEEDBACK_LOG):
        path = log_dir / name
        if not path.is_file():
            continue
        content = path.read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        records, bad = _lines(path)
        try:
            with store.engine.begin() as db:
                seen = db.execute(
                    sa.select(imported_logs.c.sha256).where(imported_logs.c.sha256 == digest)
                ).first()
                if seen is None:
                    for record in records:
                        if name == ANSWERS_LOG:
                            _import_answer(db, record)
                        else:
                            _import_feedback(db, record)
                    db.execute(
                        imported_logs.insert().values(
                            sha256=digest, name=name, time=utc_now(), records=len(records)
                        )
                    )
                    done.append(f"{name}: {len(records)} records, {bad} unreadable lines")
        except IntegrityError:
            # Another process (the chat, a staff command) imported it at the same moment: its
            # transaction won and this one was rolled back whole, so nothing is counted twice.
            pass
        target = path.with_name(name + IMPORTED_SUFFIX)
        if target.exists():
            target = path.with_name(f"{name}.{utc_now():%Y%m%dT%H%M%S}{IMPORTED_SUFFIX}")
        with contextlib.suppress(FileNotFoundError):  # already renamed by that other process
            path.rename(target)
    return done


def _import_answer(db: sa.Connection, record: dict[str, Any]) -> None:
    question = redact(str(record.get("question", "")))
    answer_id = new_id(
        db.execute(
            answers.insert().values(
                time=_time(record.get("time")),
                question=question,
                standalone_question=redact(str(record.get("standalone_question", question))),
                answer="",
                kind=str(record.get("kind", "unknown")),
                status=str(record.get("status", "")),
                safety="none",
                seconds=record.get("seconds")
                if isinstance(record.get("seconds"), int | float)
                else None,
            )
        )
    )
    sources = [str(s) for s in record.get("sources", []) if isinstance(s, str)]
    for position, doc_id in enumerate(dict.fromkeys(sources), start=1):
        db.execute(
            answer_documents.insert().values(
                answer_id=answer_id, role="cited", position=position, doc_id=doc_id
            )
        )


def _import_feedback(db: sa.Connection, record: dict[str, Any]) -> None:
    """Feedback is linked to the latest earlier answer to the same question; when the old
    answers log had none, the question and answer text are kept as an answer of kind
    "unknown" so the feedback is not lost."""
    when = _time(record.get("time"))
    question = redact(str(record.get("question", "")))
    answer_text = redact(str(record.get("answer", "")))
    match = db.execute(
        sa.select(answers.c.id, answers.c.answer)
        .where(answers.c.question == question, answers.c.time <= when)
        .order_by(answers.c.time.desc(), answers.c.id.desc())
        .limit(1)
    ).first()
    if match is None:
        answer_id = new_id(
            db.execute(
                answers.insert().values(
                    time=when,
                    question=question,
                    standalone_question=question,
                    answer=answer_text,
                    kind="unknown",
                    status="",
                    safety="none",
                )
            )
        )
    else:
        answer_id = match.id
        if not match.answer:
            db.execute(answers.update().where(answers.c.id == answer_id).values(answer=answer_text))
    db.execute(
        feedback.insert().values(
            answer_id=answer_id,
            time=when,
            helpful=bool(record.get("helpful")),
            reasons="[]",
            comment=redact(str(record.get("comment", ""))),
        )
    )
