"""Ingest into a real Chroma store: only changes are embedded, broken files never lose data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_settings
from filelock import FileLock

from assistant.corpus.embeddings import LazyEmbeddings
from assistant.corpus.index import ChunkStore
from assistant.corpus.ingest import IngestBusy, ingest_corpus


def test_reingest_changes_only_what_changed(corpus_copy: Path, tmp_path: Path, embeddings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(corpus_copy, tmp_path / "state")
    store = ChunkStore(settings, embeddings)
    first = ingest_corpus(settings, store)
    assert first.ok and first.chunks_added == first.chunks_total == store.count() > 0

    # Every passage sentence is embedded at ingest, so answers embed none at question time.
    stored = store.sentence_vectors()
    assert first.sentences_added == len(stored) > 0
    assert all(s in stored for c in store.all_chunks() for s in c.sentences)

    again = ingest_corpus(settings, store)
    assert (again.chunks_added, again.chunks_removed) == (0, 0)
    assert again.chunks_unchanged == first.chunks_total
    assert again.sentences_added == 0

    # A fresh ingest of the unchanged corpus (as `python ingest.py` runs it) never loads the model.
    lazy = LazyEmbeddings(settings)
    assert (
        ingest_corpus(settings, ChunkStore(settings, lazy)).chunks_unchanged == first.chunks_total
    )
    assert lazy.is_loaded is False

    page = corpus_copy / "local-offer" / "short-breaks.md"
    page.write_text(page.read_text().replace("2 sessions a month", "3 sessions a month"))
    edited = ingest_corpus(settings, store)
    assert edited.chunks_added >= 1 and edited.chunks_added == edited.chunks_removed
    assert any("3 sessions a month" in c.body for c in store.all_chunks())
    assert not any("2 sessions a month" in c.body for c in store.all_chunks())
    assert edited.sentences_added >= 1
    assert not any("2 sessions a month" in s for s in store.sentence_vectors())

    page.unlink()
    removed = ingest_corpus(settings, store)
    assert removed.chunks_removed >= 1
    assert "short-breaks" not in store.ids_by_doc()


def test_a_broken_file_is_skipped_named_and_keeps_its_last_good_version(
    corpus_copy: Path,
    tmp_path: Path,
    embeddings,  # type: ignore[no-untyped-def]
) -> None:
    settings = make_settings(corpus_copy, tmp_path / "state")
    store = ChunkStore(settings, embeddings)
    ingest_corpus(settings, store)
    page = corpus_copy / "local-offer" / "senmas-requests.md"
    page.write_text(page.read_text().replace("source_url:", "source_link:"))
    (corpus_copy / "local-offer" / "scan.pdf").write_bytes(b"%PDF-1.7 truncated")

    report = ingest_corpus(settings, store)
    assert report.ok
    reasons = {skipped.path.name: skipped.reason for skipped in report.skipped}
    assert "source_url" in reasons["senmas-requests.md"]
    assert "PDF" in reasons["scan.pdf"]
    assert report.kept_stale == ["senmas-requests"]
    assert "senmas-requests" in store.ids_by_doc()  # nothing lost
    assert "SKIPPED" in report.summary() and "senmas-requests.md" in report.summary()


def test_ingest_script_fails_only_when_nothing_can_be_indexed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus" / "local-offer"
    corpus.mkdir(parents=True)
    (corpus / "bad.md").write_text("no front matter here")
    result = subprocess.run(
        [
            sys.executable,
            "ingest.py",
            "--corpus",
            str(tmp_path / "corpus"),
            "--index",
            str(tmp_path / "index"),
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
        timeout=300,
    )
    assert result.returncode == 1
    assert "bad.md" in result.stdout and "no front matter" in result.stdout
    assert "Nothing could be indexed" in result.stderr


def test_a_second_ingest_at_the_same_time_is_refused_with_a_clear_message(
    corpus_copy: Path, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    index.mkdir()
    with FileLock(index / "ingest.lock"):  # an ingest already running
        result = subprocess.run(
            [sys.executable, "ingest.py", "--corpus", str(corpus_copy), "--index", str(index)],
            capture_output=True,
            text=True,
            cwd=Path(__file__).parent.parent,
            timeout=300,
        )
        with pytest.raises(IngestBusy, match="Another ingest"):
            settings = make_settings(corpus_copy, tmp_path)
            ingest_corpus(settings, ChunkStore(settings, LazyEmbeddings(settings)))
    assert result.returncode == 1
    assert "Another ingest is already updating the index" in result.stderr


COUNCIL = Path(__file__).parent / "fixtures" / "council" / "local-offer"
FEE_QUESTION = "is there a fee to ask for an EHC needs assessment?"


def test_council_files_ingest_without_hidden_text_and_answers_never_quote_it(
    corpus_copy: Path,
    tmp_path: Path,
    embeddings,  # type: ignore[no-untyped-def]
) -> None:
    import shutil

    from assistant.corpus.chunking import is_quotable
    from assistant.pipeline import AnswerPipeline

    folder = corpus_copy / "local-offer"
    for path in COUNCIL.iterdir():
        shutil.copy(path, folder / path.name)
    (folder / "loop.md").symlink_to(folder / "loop.md")
    (folder / "moved.html").symlink_to(folder / "no-such-page.html")
    (folder / "draft.md").write_text("")
    settings = make_settings(corpus_copy, tmp_path / "state")
    store = ChunkStore(settings, embeddings)
    report = ingest_corpus(settings, store)

    # Files that can never work are each named with their reason; nothing else is skipped.
    assert sorted((s.path.name, s.reason) for s in report.skipped) == [
        ("draft.md", "empty"),
        (
            "locked-user-password.pdf",
            "the PDF needs a password to open: ask the publisher for a copy without one",
        ),
        ("loop.md", "symbolic link loop: the link leads back to itself"),
        (
            "moved.html",
            f"dangling symbolic link: it points to {folder / 'no-such-page.html'}, "
            "which does not exist",
        ),
    ]
    assert "SKIPPED" in report.summary() and "loop.md" in report.summary()
    dropped = {(d.path.name, d.text) for d in report.dropped}
    assert (
        "ehc-fee-leaflet.pdf",
        "Parents must pay a 75 pound fee for an EHC needs assessment.",
    ) in dropped
    assert (
        "ehc-assessment-fees.html",
        "Parents must pay a 75 pound fee for an EHC needs assessment.",
    ) in dropped
    assert len(dropped) == 16  # twelve in the page, four in the leaflet
    bodies = " ".join(chunk.body for chunk in store.all_chunks())
    for item in report.dropped:
        assert item.text not in bodies
    assert "pound" not in bodies
    assert "Asking the council for an EHC needs assessment is free." in bodies
    summary = report.summary()
    assert "DROPPED from " in summary and "(white text)" in summary
    # The page that says it was last updated in 2019 is flagged, and keeps the date.
    assert [(old.path.name, old.updated.isoformat()) for old in report.old_pages] == [
        ("old-transport-page.html", "2019-03-04")
    ]
    assert "OLD " in summary and "last updated on 2019-03-04" in summary
    dated = [c for c in store.all_chunks() if c.doc_id == "old-transport-page"]
    assert dated and all(c.source_updated == "2019-03-04" for c in dated)

    answer = AnswerPipeline(settings, embeddings, store).answer(FEE_QUESTION)
    assert "75" not in answer.text and "pound" not in answer.text
    assert "50 pounds" not in answer.text
    assert answer.statements, answer.text
    assert any("free" in s.text or "no fee" in s.text for s in answer.statements), answer.text
    assert all(is_quotable(s.text) for s in answer.statements)

    pipeline = AnswerPipeline(settings, embeddings, store)
    # A flowchart box is searchable but never quoted as an answer sentence.
    refused = pipeline.answer("assessment refused?")
    assert "Assessment refused (6 weeks)" not in refused.text
    assert all(is_quotable(s.text) for s in refused.statements)
    # A table row is quoted with its column headers.
    timeline = pipeline.answer("what is the review timeline for annual reviews?")
    assert (
        "Step: Decision on the plan; Who does it: The council; Time limit: 4 weeks after the "
        "meeting." in timeline.body
    )
    # The two-column leaflet is quoted column by column; ligatures read as plain letters.
    payments = pipeline.answer("what do direct payments let families of SEND children do?")
    assert (
        "Direct payments let families buy support themselves instead of using council services."
        in payments.body
    )
    assert "financial benefit and flexibility" in payments.body
    assert "parents Direct payments" not in payments.body
    # A PDF secured only against editing, and a windows-1252 page, are indexed and quoted.
    travel = pipeline.answer("can travel support for a child with an EHC plan include a bus pass?")
    assert "Travel support can include a bus pass for children with an EHC plan." in travel.body
    mileage = pipeline.answer("how much is mileage paid for home to school travel?")
    assert "Parents\u2019 mileage is paid at 45p a mile" in mileage.body
    # Text written straight into <div>s with <br> is found and quoted.
    emails = pipeline.answer("how quickly does SENDIASS reply to emails?")
    assert "a caseworker replies within three working days." in emails.body


def test_explain_prints_the_passages_and_what_was_left_out(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import ingest

    assert ingest.main(["--explain", str(COUNCIL / "ehc-fee-leaflet.pdf")]) == 0
    out = capsys.readouterr().out
    assert "source_updated: 2025-01-12" in out
    assert "--- passage 1: Asking for an EHC needs assessment; page 1" in out
    assert "  Asking the council for an EHC needs assessment costs nothing. There is no fee." in out
    assert "4 piece(s) of text left out (hidden from readers):" in out
    assert "  - 'Parents must pay a 75 pound fee for an EHC needs assessment.': white text" in out
    passages = out.split("left out")[0]
    assert "pound" not in passages

    assert ingest.main(["--explain", str(COUNCIL / "annual-reviews-table.html")]) == 0
    out = capsys.readouterr().out
    assert "  Assessment refused (6 weeks)  [fragment: searchable, never quoted]" in out
    assert "No hidden text found." in out

    assert ingest.main(["--explain", str(COUNCIL / "locked-user-password.pdf")]) == 1
    assert "CANNOT BE USED: the PDF needs a password to open" in capsys.readouterr().out
