"""The record store behind feedback, the gaps report and retention, as staff and parents meet them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import stored_bytes

from assistant.answering.answer import Answer, Citation, Kind, Statement
from assistant.config import PROJECT_ROOT
from assistant.feedback.gaps import DECLINED, NOT_ENGLISH, build_report
from assistant.feedback.store import DATABASE_FILE, DocumentRef, FeedbackRefused, RecordStore
from assistant.records import ConversationRecords

TOPICS = PROJECT_ROOT / "evals" / "topics.yaml"
SECRETS = ("Jane", "Example", "jane@example.com", "07700", "900123", "ST4 3NR")


def citation(n: int, doc_id: str, title: str) -> Citation:
    return Citation(n, title, "https://x.gov.uk", "", "", doc_id, "local_offer", "p", "2026-11-25", f"c{n}")


def run_cli(args: list[str], log_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SEND_LOG_DIR": str(log_dir)}
    env.pop("SEND_FEEDBACK_DB_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True, text=True, cwd=PROJECT_ROOT, env=env, timeout=120,
    )  # fmt: skip


def test_personal_details_never_reach_the_database_file(tmp_path: Path) -> None:
    records = ConversationRecords(tmp_path)
    answer = Answer(
        kind=Kind.ANSWERED,
        statements=[Statement("SENDIASS can help.", 1)],
        citations=[citation(1, "sendiass-stoke", "SENDIASS Stoke-on-Trent")],
        question="My name is Jane Example, email jane@example.com, phone 07700 900123, "
        "postcode ST4 3NR. What does SENDIASS do?",
        status="answered",
        debug={"ranked_docs": ["sendiass-stoke", "parent-carer-forum"]},
    )
    answer_id = records.record_answer(answer, 0.5)
    records.record_feedback(
        answer_id, False, ["hard_to_understand"], "I'm Jane Example, ring me on 07700 900123"
    )
    records.store.close()
    on_disk = stored_bytes(tmp_path)
    assert b"What does SENDIASS do?" in on_disk and b"[phone]" in on_disk
    for secret in SECRETS:
        assert secret.encode() not in on_disk, secret
    (stored,) = records.store.answers_between(dt.datetime(2000, 1, 1))
    assert stored.kind == "answered" and stored.helpful is False
    assert stored.reasons == ["hard_to_understand"]
    assert "[phone]" in stored.comment and "07700" not in stored.comment
    assert [(d.doc_id, d.role) for d in stored.documents] == [
        ("sendiass-stoke", "cited"),
        ("sendiass-stoke", "nearest"),
        ("parent-carer-forum", "nearest"),
    ]
    assert stored.documents[0].title == "SENDIASS Stoke-on-Trent"


def test_the_database_uses_write_ahead_logging(tmp_path: Path) -> None:
    records = ConversationRecords(tmp_path)
    records.store.add_answer(question="What is a SENCO?", kind="answered")
    with sqlite3.connect(tmp_path / DATABASE_FILE) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_answers_and_feedback_from_many_threads_are_all_kept(tmp_path: Path) -> None:
    records = ConversationRecords(tmp_path)
    errors: list[BaseException] = []

    def parent(number: int) -> None:
        try:
            for turn in range(20):
                answer = Answer(Kind.ANSWERED, [Statement("x", None)], question=f"q{number}-{turn}")
                answer_id = records.record_answer(answer, 0.1)
                feedback_id = records.record_feedback(answer_id, turn % 2 == 0)
                records.revise_feedback(feedback_id, False, ["wrong"], f"c{number}-{turn}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=parent, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stored = records.store.answers_between(dt.datetime(2000, 1, 1))
    assert len(stored) == 160
    assert sorted(r.question for r in stored) == sorted(
        f"q{n}-{t}" for n in range(8) for t in range(20)
    )
    assert all(r.helpful is False and r.comment == f"c{r.question[1:]}" for r in stored)


def test_bad_feedback_is_refused_with_the_reason(tmp_path: Path) -> None:
    records = ConversationRecords(tmp_path)
    answer_id = records.store.add_answer(question="What is a SENCO?", kind="answered")
    with pytest.raises(FeedbackRefused, match="501 characters long: please keep it to 500"):
        records.record_feedback(answer_id, False, [], "x" * 501)
    with pytest.raises(FeedbackRefused, match="Unknown reason 'too_long': choose from wrong"):
        records.record_feedback(answer_id, False, ["too_long"])
    with pytest.raises(FeedbackRefused, match="only be given on an answer this service sent"):
        records.record_feedback(answer_id + 100, False)
    with pytest.raises(FeedbackRefused, match="no longer held"):
        records.revise_feedback(12345, False)
    assert records.store.answers_between(dt.datetime(2000, 1, 1))[0].helpful is None
    records.record_feedback(answer_id, True, [], "x" * 500)  # the limit itself is fine
    # Text no database can hold (a lone surrogate, control characters) is replaced, not fatal.
    records.record_feedback(answer_id, False, ["wrong"], "bad\ud800 byte\x00 here")
    assert records.store.answers_between(dt.datetime(2000, 1, 1))[0].comment == "bad\ufffd byte  here"


def fill(store: RecordStore) -> None:
    """A week of questions: gaps in two topics, declines, a not-English message, answers."""
    day = dt.datetime(2026, 11, 2, 9)

    def ask(question: str, kind: str, status: str, nearest: list[str], cited: tuple[str, ...] = (),
            days: int = 0) -> int:  # fmt: skip
        docs = [DocumentRef(d, role="nearest", position=i) for i, d in enumerate(nearest, 1)]
        docs += [DocumentRef(d, f"Title of {d}", role="cited", position=i) for i, d in enumerate(cited, 1)]
        return store.add_answer(question=question, kind=kind, status=status, documents=docs,
                                time=day + dt.timedelta(days=days))  # fmt: skip

    ask("Can we get a taxi to holiday club?", "not_found", "not_found", ["school-and-post-16-transport"])
    ask("Is there transport in the summer holidays?", "not_found", "not_found", ["school-and-post-16-transport"], days=1)
    ask("What is the EHC hub password?", "not_found", "not_found", ["ch09-ehc-plan-sections"], days=8)
    ask("Which medicine helps ADHD?", "out_of_scope", "out_of_scope", [])
    ask("Czy mogę dostać pomoc?", "out_of_scope", "not_english", [])
    ask("", "not_found", "empty_question", [])  # an empty message is not a gap
    helped = ask("What is a SENCO?", "answered", "answered", ["schools-and-sen-support-stoke"], ("schools-and-sen-support-stoke",))
    store.add_feedback(helped, True)
    unhelpful = ask("How do I get a bus pass for my son?", "answered", "answered",
                    ["school-and-post-16-transport"], ("school-and-post-16-transport", "sendiass-stoke"), days=1)  # fmt: skip
    store.add_feedback(unhelpful, False, ["out_of_date", "wrong"], "the form has changed")


def test_gaps_report_groups_by_topic_with_counts_examples_and_documents(tmp_path: Path) -> None:
    store = RecordStore(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    fill(store)
    report = build_report(store, dt.date(2026, 11, 1), dt.date(2026, 11, 9), TOPICS)
    assert report.answers == 7  # the one on 10 November is after the window
    rows = {gap.topic: gap for gap in report.topics}
    assert list(rows) == ["Transport", NOT_ENGLISH, DECLINED]  # largest first, then by name
    transport = rows["Transport"]
    assert (transport.questions, transport.not_covered, transport.not_helpful) == (3, 2, 1)
    assert transport.examples[0] == "How do I get a bus pass for my son?"  # newest first
    assert "Can we get a taxi to holiday club?" in transport.examples
    assert transport.reasons == {"Out of date": 1, "Wrong": 1}
    assert transport.comments == ["the form has changed"]
    assert transport.documents["Title of school-and-post-16-transport"] == 3
    assert transport.documents["Title of sendiass-stoke"] == 1
    assert rows[DECLINED].declined == 1 and rows[DECLINED].examples == ["Which medicine helps ADHD?"]
    assert ("2026-11-02", "not_found", 2) in report.kinds_over_time
    assert ("2026-11-03", "not helpful", 1) in report.helpfulness_over_time
    assert ("2026-11-02", "helpful", 1) in report.helpfulness_over_time
    weekly = build_report(store, dt.date(2026, 11, 1), None, TOPICS, by="week")
    assert ("2026-W45", "not_found", 3) in weekly.kinds_over_time  # the empty message too
    assert ("2026-W46", "not_found", 1) in weekly.kinds_over_time
    assert "EHC plan contents" in {gap.topic for gap in weekly.topics}


def test_gaps_command_writes_csv_a_spreadsheet_reads(tmp_path: Path) -> None:
    from assistant.feedback.store import sqlite_url

    store = RecordStore(sqlite_url(tmp_path))
    fill(store)
    store.close()
    result = run_cli(["gaps", "--since", "2026-11-01", "--format", "csv"], tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    transport = next(r for r in rows if r["topic"] == "Transport")
    assert transport["questions"] == "3" and transport["not_covered"] == "2"
    assert "Can we get a taxi to holiday club?" in transport["example_questions"].split(" | ")
    markdown = run_cli(["gaps", "--since", "2026-11-01"], tmp_path)
    assert "| Transport | 3 | 2 | 0 | 1 |" in markdown.stdout
    bad = run_cli(["gaps", "--since", "1 November"], tmp_path)
    assert bad.returncode == 2 and "'1 November' is not a date like 2026-11-01" in bad.stderr
    backwards = run_cli(["gaps", "--since", "2026-11-09", "--until", "2026-11-01"], tmp_path)
    assert backwards.returncode == 2 and "must be after --since" in backwards.stderr


def test_retention_deletes_old_records_and_keeps_new_ones(tmp_path: Path) -> None:
    from assistant.feedback.store import sqlite_url, utc_now

    store = RecordStore(sqlite_url(tmp_path))
    now = utc_now()
    old = store.add_answer(question="old question about ST4 tribunals", kind="not_found",
                           time=now - dt.timedelta(days=200))  # fmt: skip
    store.add_feedback(old, False, ["wrong"], "an old comment", time=now - dt.timedelta(days=200))
    recent = store.add_answer(question="recent question", kind="answered", time=now - dt.timedelta(days=10))
    store.add_feedback(recent, True)
    store.close()
    (tmp_path / "answers.jsonl.imported").write_text("{}\n")
    refused = run_cli(["retention", "--days", "0"], tmp_path)
    assert refused.returncode == 2 and "at least 1 day" in refused.stderr
    result = run_cli(["retention", "--days", "180"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Deleted 1 answers and 1 feedback records" in result.stdout
    kept = store.answers_between(dt.datetime(2000, 1, 1))
    assert [r.question for r in kept] == ["recent question"] and kept[0].helpful is True
    assert b"old question" not in stored_bytes(tmp_path)
    assert b"an old comment" not in stored_bytes(tmp_path)
    assert not (tmp_path / "answers.jsonl.imported").exists()


def test_old_jsonl_logs_are_imported_once_and_nothing_is_lost(tmp_path: Path) -> None:
    answers = [
        {"time": "2026-11-20T10:00:00+00:00", "question": "What is an EHCP?", "kind": "answered",
         "status": "answered", "sources": ["ch09-ehc-plan-sections"], "seconds": 0.2},
        {"time": "2026-11-20T11:00:00+00:00", "question": "Can I get a taxi to the moon?",
         "kind": "not_found", "status": "not_found", "sources": ["sendiass-stoke"], "seconds": 0.1},
    ]  # fmt: skip
    (tmp_path / "answers.jsonl").write_text("".join(json.dumps(a) + "\n" for a in answers))
    (tmp_path / "feedback.jsonl").write_text(
        json.dumps({"time": "2026-11-20T10:05:00+00:00", "question": "What is an EHCP?",
                    "answer": "An EHC plan is ...", "helpful": False, "comment": "too short"})
        + "\n"
        + json.dumps({"time": "2026-11-21T09:00:00+00:00", "question": "a question never logged",
                      "answer": "...", "helpful": True, "comment": ""})
        + "\n"
    )  # fmt: skip
    ConversationRecords(tmp_path).store.close()
    again = ConversationRecords(tmp_path)  # a restart imports nothing twice
    stored = again.store.answers_between(dt.datetime(2000, 1, 1))
    assert [(r.question, r.kind, r.helpful) for r in stored] == [
        ("What is an EHCP?", "answered", False),
        ("Can I get a taxi to the moon?", "not_found", None),
        ("a question never logged", "unknown", True),
    ]
    assert stored[0].answer == "An EHC plan is ..." and stored[0].comment == "too short"
    assert [d.doc_id for d in stored[0].documents] == ["ch09-ehc-plan-sections"]
    assert not (tmp_path / "answers.jsonl").exists()
    assert (tmp_path / "answers.jsonl.imported").exists()


def test_gaps_panel_view_gives_table_charts_and_csv(tmp_path: Path) -> None:
    import gradio as gr

    from assistant.feedback.panel import report_view

    store = RecordStore(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    fill(store)
    text, kinds, verdicts, path = report_view(store, TOPICS, "2026-11-01", "", "week", tmp_path)
    assert "| Transport | 3 | 2 | 0 | 1 |" in text
    assert kinds.to_dict("records")[0] == {"period": "2026-W45", "kind": "answered", "answers": 2}
    assert set(verdicts["verdict"]) == {"helpful", "not helpful"}
    assert next(csv.DictReader(io.StringIO(Path(path).read_text())))["topic"] == "Transport"
    with pytest.raises(gr.Error, match="Dates must look like 2026-11-01"):
        report_view(store, TOPICS, "last week", "", "day", tmp_path)


def test_gaps_command_includes_logs_written_before_the_store(tmp_path: Path) -> None:
    old = {"time": "2026-11-03T10:00:00+00:00", "question": "Is there a SEND swimming club?",
           "kind": "not_found", "status": "not_found", "sources": ["sendiass-stoke"]}  # fmt: skip
    (tmp_path / "answers.jsonl").write_text(json.dumps(old) + "\n")
    result = run_cli(["gaps", "--since", "2026-11-01", "--format", "csv"], tmp_path)
    assert result.returncode == 0, result.stderr
    (row,) = csv.DictReader(io.StringIO(result.stdout))
    assert row["example_questions"] == "Is there a SEND swimming club?"
    assert row["not_covered"] == "1"
    # The same log found again (a rename lost in a crash) is recognised, not counted twice.
    (tmp_path / "answers.jsonl").write_text(json.dumps(old) + "\n")
    again = run_cli(["gaps", "--since", "2026-11-01", "--format", "csv"], tmp_path)
    (row,) = csv.DictReader(io.StringIO(again.stdout))
    assert row["not_covered"] == "1"
