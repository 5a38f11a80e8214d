"""The gaps report: what parents asked that the guidance does not cover, what was declined,
and which answers they found unhelpful, grouped by corpus topic so staff see what to write next.

Topics come from `settings.topics_file` (evals/topics.yaml: topic -> document ids). A question
is put under the topic of the nearest document search found for it (for an answer, failing
that, the first document it cited); a document in no topic stands for itself, by title.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.feedback.store import REASONS, AnswerRecord, DocumentRef, RecordStore

NOT_ENGLISH = "Messages not in English"
DECLINED = "Outside SEND (declined)"
UNMATCHED = "Not matched to a topic"
# Replies that are not gaps in the guidance: an empty message, urgent safeguarding contacts.
NOT_GAPS = {"empty_question", "urgent"}
EXAMPLES_KEPT = 3
_WORDS = {"ehc": "EHC", "send": "SEND", "post": "post", "nhs": "NHS"}


@dataclass
class TopicGap:
    """One topic's row: counts, example (redacted) questions and comments, documents touched."""

    topic: str
    questions: int = 0  # each counted once, even if both declined and marked not helpful
    not_covered: int = 0
    declined: int = 0
    not_helpful: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    documents: Counter[str] = field(default_factory=Counter)


@dataclass
class GapsReport:
    """The report for answers stored from `since` up to (not including) `until`.

    `kinds_over_time` counts answers per (period, kind); `helpfulness_over_time` counts
    feedback per (period, "helpful" | "not helpful"); periods are "YYYY-MM-DD" days or
    "YYYY-Www" ISO weeks. `topics` is sorted by questions, largest first.
    """

    since: dt.date
    until: dt.date | None
    answers: int
    topics: list[TopicGap]
    kinds_over_time: list[tuple[str, str, int]]
    helpfulness_over_time: list[tuple[str, str, int]]


def topic_label(key: str) -> str:
    """'requesting-ehc-assessment' -> 'Requesting EHC assessment'."""
    words = [_WORDS.get(word, word) for word in key.replace("-", " ").split()]
    text = " ".join(words).replace("post 16", "post-16")
    return text[:1].upper() + text[1:]


def load_topics(path: Path) -> dict[str, str]:
    """Document id -> the label of the first topic that lists it ({} if the file is missing)."""
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    by_document: dict[str, str] = {}
    for key, documents in data.items():
        for doc_id in documents or []:
            by_document.setdefault(str(doc_id), topic_label(str(key)))
    return by_document


def _period(moment: dt.datetime, by: str) -> str:
    if by == "week":
        year, week, _ = moment.isocalendar()
        return f"{year}-W{week:02d}"
    return moment.date().isoformat()


def _documents(record: AnswerRecord, role: str) -> list[DocumentRef]:
    return sorted((d for d in record.documents if d.role == role), key=lambda d: d.position)


def topic_of(record: AnswerRecord, topics: dict[str, str], titles: dict[str, str]) -> str:
    """The topic a question belongs to (see the module docstring)."""
    if record.kind == "out_of_scope":
        return NOT_ENGLISH if record.status == "not_english" else DECLINED
    candidates = _documents(record, "nearest")
    if record.kind == "answered":  # a "not covered" reply cites the canned reply's sources
        candidates += _documents(record, "cited")
    for document in candidates:
        if document.doc_id in topics:
            return topics[document.doc_id]
    if candidates:
        return titles.get(candidates[0].doc_id) or candidates[0].doc_id
    return UNMATCHED


def build_report(
    store: RecordStore,
    since: dt.date,
    until: dt.date | None = None,
    topics_file: Path | None = None,
    by: str = "day",
) -> GapsReport:
    """The gaps report over answers stored on or after `since` and before `until` (UTC days).

    `by` is "day" or "week" (the chart's periods). Raises ValueError for another `by`, or
    when `until` is not after `since`.
    """
    if by not in ("day", "week"):
        raise ValueError(f"period must be 'day' or 'week', not {by!r}")
    if until is not None and until <= since:
        raise ValueError(f"--until ({until}) must be after --since ({since})")
    start = dt.datetime.combine(since, dt.time())
    end = dt.datetime.combine(until, dt.time()) if until else None
    records = store.answers_between(start, end)
    topics = load_topics(topics_file) if topics_file else {}
    titles = {d.doc_id: d.title for r in records for d in r.documents if d.title}
    groups: dict[str, TopicGap] = {}
    kinds: Counter[tuple[str, str]] = Counter()
    verdicts: Counter[tuple[str, str]] = Counter()
    for record in records:
        period = _period(record.time, by)
        kinds[period, record.kind] += 1
        if record.helpful is not None:
            verdicts[period, "helpful" if record.helpful else "not helpful"] += 1
        gap_kind = record.kind in ("not_found", "out_of_scope") and record.status not in NOT_GAPS
        if not gap_kind and record.helpful is not False:
            continue
        name = topic_of(record, topics, titles)
        gap = groups.setdefault(name, TopicGap(name))
        gap.questions += 1
        gap.not_covered += record.kind == "not_found" and gap_kind
        gap.declined += record.kind == "out_of_scope" and gap_kind
        if record.helpful is False:
            gap.not_helpful += 1
            gap.reasons.update(REASONS.get(r, r) for r in record.reasons)
            if record.comment and record.comment not in gap.comments:
                gap.comments.insert(0, record.comment)
        if record.question and record.question not in gap.examples:
            gap.examples.insert(0, record.question)  # newest first
        role = "cited" if record.kind == "answered" else "nearest"
        gap.documents.update(titles.get(d.doc_id) or d.doc_id for d in _documents(record, role))
    for gap in groups.values():
        del gap.examples[EXAMPLES_KEPT:]
        del gap.comments[EXAMPLES_KEPT:]
    return GapsReport(
        since=since,
        until=until,
        answers=len(records),
        topics=sorted(groups.values(), key=lambda g: (-g.questions, g.topic)),
        kinds_over_time=[(p, k, n) for (p, k), n in sorted(kinds.items())],
        helpfulness_over_time=[(p, v, n) for (p, v), n in sorted(verdicts.items())],
    )
