"""Staff uploads: bad files and fields refused with the reason, a preview of the passages, and
publish / edit / remove changing what the chat answers (real PDF parsing, Chroma and model)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import FIXTURES, make_settings

from assistant.config import Settings
from assistant.corpus.index import ChunkStore
from assistant.corpus.ingest import ingest_corpus
from assistant.corpus.updates import IngestRunner
from assistant.interfaces.staff.actions import _preview_markdown
from assistant.interfaces.staff.documents import filter_and_sort, list_documents
from assistant.interfaces.staff.publish import edit_metadata, publish, remove_document
from assistant.interfaces.staff.upload import UploadForm, UploadRefused, stage_upload
from assistant.pipeline import AnswerPipeline

FORM = UploadForm(
    collection="family_hubs",
    title="Sensory Swap Shop",
    source_url="https://www.example.org/sensory-swap-shop",
    publisher="Example Family Hubs",
    last_checked="2026-11-20",
)
SWAP_SHOP = (
    "The Sensory Swap Shop lends weighted blankets and ear defenders to families of children "
    "with sensory needs. Families can borrow each item for up to eight weeks, free of charge."
)
QUESTION = "How long can we borrow a weighted blanket from the Sensory Swap Shop?"


def make_pdf(path: Path, text: str = SWAP_SHOP, title: str = "Sensory Swap Shop") -> Path:
    """A one-page PDF written with fpdf2 (as the council fixtures are)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, title)
    pdf.ln(3)
    pdf.multi_cell(0, 6, text)
    pdf.output(str(path))
    return path


def corpus_snapshot(corpus: Path) -> dict[str, bytes]:
    return {str(p.relative_to(corpus)): p.read_bytes() for p in corpus.rglob("*") if p.is_file()}


def refused(path: Path, settings: Settings, form: UploadForm = FORM, name: str = "") -> str:
    with pytest.raises(UploadRefused) as error:
        stage_upload(path, name or path.name, form, settings)
    return str(error.value)


@pytest.fixture
def settings(corpus_copy: Path, tmp_path: Path) -> Settings:
    return make_settings(corpus_copy, tmp_path)


def test_bad_files_are_refused_with_the_reason_and_the_corpus_is_untouched(
    settings: Settings, tmp_path: Path
) -> None:
    before = corpus_snapshot(settings.corpus_dir)
    png = tmp_path / "leaflet.pdf"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    assert "named .pdf but its contents are a PNG file (image/png)" in refused(png, settings)
    zipped = tmp_path / "notes.md"
    zipped.write_bytes(b"PK\x03\x04" + bytes(200))
    assert "named .md (Markdown text) but its contents are a ZIP file" in refused(zipped, settings)
    binary = tmp_path / "page.html"
    binary.write_bytes(b"<html>\x00\x01\x02 binary")
    assert "its contents are binary data" in refused(binary, settings)
    locked = FIXTURES / "council" / "local-offer" / "locked-user-password.pdf"
    assert "password" in refused(locked, settings)
    corrupt = tmp_path / "broken.pdf"
    corrupt.write_bytes(make_pdf(tmp_path / "whole.pdf").read_bytes()[:300])
    assert refused(corrupt, settings).startswith("The file cannot be used:")
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    assert "empty" in refused(empty, settings)
    scripted = tmp_path / "page.html"
    scripted.write_text(
        "<html><body><main><p>Short breaks help families.</p>"
        "<script>steal()</script></main></body></html>",
        encoding="utf-8",
    )
    assert "contains scripts or embedded content (script)" in refused(scripted, settings)
    handler = tmp_path / "handler.html"
    handler.write_text('<p onclick="x()">Click</p><a href="javascript:x()">x</a>', "utf-8")
    reason = refused(handler, settings)
    assert "onclick attribute" in reason and "javascript: link" in reason
    other = tmp_path / "sheet.docx"
    other.write_bytes(b"PK\x03\x04")
    assert "is not a Markdown (.md), HTML (.html) or PDF (.pdf) file" in refused(other, settings)
    assert corpus_snapshot(settings.corpus_dir) == before


def test_a_file_over_the_size_limit_is_refused(corpus_copy: Path, tmp_path: Path) -> None:
    settings = make_settings(corpus_copy, tmp_path, max_text_file_mb=0.001)
    big = tmp_path / "big.md"
    big.write_text("# Big\n\n" + "Short breaks help families. " * 200, encoding="utf-8")
    assert "too large: " in refused(big, settings)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"source_url": "www.example.org/page"}, "Source URL: 'www.example.org/page'"),
        ({"source_url": "javascript:alert(1)"}, "Source URL:"),
        ({"last_checked": "20/11/2026"}, "Checked date: '20/11/2026' is not a date"),
        ({"last_checked": "2027-01-01"}, "Checked date: 2027-01-01 is in the future"),
        ({"source_updated": "last May"}, "Source updated date: 'last May'"),
        ({"title": "  "}, "Title: this field is required"),
        ({"publisher": ""}, "Publisher: this field is required"),
        ({"collection": "blog"}, "Collection: choose one of"),
    ],
)
def test_bad_metadata_is_refused_naming_the_field(
    settings: Settings, tmp_path: Path, change: dict[str, str], field: str
) -> None:
    from dataclasses import replace

    pdf = make_pdf(tmp_path / "swap.pdf")
    assert refused(pdf, settings, replace(FORM, **change)).startswith(field)


def test_preview_shows_the_passages_the_file_will_become(
    settings: Settings, tmp_path: Path
) -> None:
    staged = stage_upload(make_pdf(tmp_path / "Swap Shop.pdf"), "Swap Shop.pdf", FORM, settings)
    try:
        assert staged.doc_id == "swap-shop"
        assert staged.document.meta.source_url == FORM.source_url
        assert len(staged.chunks) == 1
        assert "borrow each item for up to eight weeks" in staged.chunks[0].body
        shown = _preview_markdown(staged)
        assert shown.startswith("### Sensory Swap Shop: 1 passage(s)")
        assert "up to eight weeks, free of charge" in shown
    finally:
        staged.discard()
    assert not staged.folder.exists()
    assert not list(settings.corpus_dir.rglob("swap-shop*"))  # nothing is live yet


def test_markdown_upload_gets_the_forms_front_matter(settings: Settings, tmp_path: Path) -> None:
    page = tmp_path / "swap.md"
    page.write_text(
        "---\ntitle: Old title\nsee_also: [short-breaks]\n---\n# Swap shop\n\n" + SWAP_SHOP,
        encoding="utf-8",
    )
    staged = stage_upload(page, page.name, FORM, settings)
    try:
        target = publish(staged, settings)
    finally:
        staged.discard()
    text = target.read_text(encoding="utf-8")
    assert target == settings.corpus_dir / "family-hubs" / "swap.md"
    assert "title: Sensory Swap Shop" in text and "see_also:\n- short-breaks" in text
    assert "last_checked: 2026-11-20" in text
    with pytest.raises(UploadRefused, match="already exists"):
        staged = stage_upload(page, page.name, FORM, settings)
        try:
            publish(staged, settings)
        finally:
            staged.discard()


def wait_for(runner: IngestRunner) -> str:
    """Wait for the background ingest to end; its summary."""
    for _ in range(600):
        status = runner.status()
        if status.state in ("done", "failed"):
            assert status.state == "done", status.summary
            return status.summary
        time.sleep(0.5)
    raise AssertionError(f"the ingest did not end: {runner.status()}")


@pytest.mark.slow
def test_publish_edit_and_remove_change_what_the_chat_answers(
    settings: Settings, tmp_path: Path, embeddings
) -> None:  # type: ignore[no-untyped-def]
    store = ChunkStore(settings, embeddings)
    assert ingest_corpus(settings, store).ok
    pipeline = AnswerPipeline(settings, embeddings, store)
    assert FORM.source_url not in [c.url for c in pipeline.answer(QUESTION).citations]
    runner = IngestRunner(settings, on_done=pipeline.refresh)

    staged = stage_upload(make_pdf(tmp_path / "swap-shop.pdf"), "swap-shop.pdf", FORM, settings)
    try:
        target = publish(staged, settings)
    finally:
        staged.discard()
    assert target == settings.corpus_dir / "family-hubs" / "swap-shop.pdf"
    assert (settings.corpus_dir / "family-hubs" / "swap-shop.meta.yaml").exists()
    assert runner.start()
    assert "1 added" in wait_for(runner)
    answer = pipeline.answer(QUESTION)
    assert answer.kind == "answered"
    cited = [c for c in answer.citations if c.url == FORM.source_url]
    assert cited and cited[0].title == "Sensory Swap Shop"
    assert "lends weighted blankets" in answer.text

    rows = list_documents(settings, pipeline.store.ids_by_doc())
    row = next(r for r in rows if r.doc_id == "swap-shop")
    assert (row.collection, row.passages, row.last_checked, row.old) == (
        "family_hubs", 1, "2026-11-20", ""
    )  # fmt: skip

    edited = UploadForm(
        **{**FORM.__dict__, "title": "Swap Shop loans", "source_updated": "2020-01-31"}
    )
    edit_metadata(settings, "swap-shop", edited)
    assert runner.start()
    wait_for(runner)
    cited = [c for c in pipeline.answer(QUESTION).citations if c.url == FORM.source_url]
    assert cited and cited[0].title == "Swap Shop loans"
    # The live generation's passages (the store made above holds the generation it was made on).
    rows = list_documents(settings, pipeline.store.ids_by_doc())
    row = next(r for r in rows if r.doc_id == "swap-shop")
    assert (row.source_updated, row.old) == ("2020-01-31", "old: 2490 days")
    assert filter_and_sort(rows, "swap shop", "title")[0][0] == "swap-shop"

    remove_document(settings, "swap-shop")
    assert not target.exists() and not target.with_name("swap-shop.meta.yaml").exists()
    assert runner.start()
    assert "1 removed" in wait_for(runner)
    assert FORM.source_url not in [c.url for c in pipeline.answer(QUESTION).citations]
    assert "swap-shop" not in pipeline.store.ids_by_doc()


def test_a_second_ingest_is_refused_while_one_runs(settings: Settings) -> None:
    from filelock import FileLock

    from assistant.corpus.ingest import ingest_lock_path

    runner = IngestRunner(settings)
    lock = ingest_lock_path(settings)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(lock, timeout=0):  # as another process's ingest holds it
        assert runner.start() is False
    assert runner.status().state == "idle"


def test_documents_list_shows_every_file_and_flags_old_and_broken_ones(
    settings: Settings,
) -> None:
    folder = settings.corpus_dir / "local-offer"
    (folder / "old-page.md").write_text(
        "---\ntitle: Old page\nsource_url: https://www.example.org/old\npublisher: Council\n"
        "last_checked: 2021-03-01\n---\n# Old\n\nShort breaks used to be booked by phone.\n",
        encoding="utf-8",
    )
    (folder / "broken.md").write_text("no front matter here\n", encoding="utf-8")
    rows = {row.doc_id: row for row in list_documents(settings, {"old-page": {"a", "b"}})}
    assert len(rows) == len(list(settings.corpus_dir.rglob("*.md")))
    assert rows["old-page"].old == "old: 2095 days"  # no source date: the checked date counts
    assert rows["old-page"].passages == 2
    assert rows["broken"].old.startswith("cannot be used: no front matter")
    assert rows["short-breaks"].old == "" and rows["short-breaks"].collection == "local_offer"
    by_checked = filter_and_sort(list(rows.values()), "", "last checked (oldest first)")
    assert [cells[0] for cells in by_checked][:2] == ["broken", "old-page"]
    assert [cells[0] for cells in filter_and_sort(list(rows.values()), "OLD page", "title")] == [
        "old-page"
    ]


def test_staff_actions_need_a_live_session_and_are_audited(settings: Settings) -> None:
    import gradio as gr
    from argon2 import PasswordHasher

    from assistant.interfaces.staff.actions import EXPIRED, StaffArea
    from assistant.interfaces.staff.auth import StaffAuth

    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    staffed = settings.model_copy(update={"staff_users": f"alice:{hasher.hash('pw-for-alice-1')}"})
    area = StaffArea(staffed, StaffAuth(staffed, hasher=hasher), IngestRunner(staffed), None)
    request: Any = SimpleNamespace(client=SimpleNamespace(host="10.1.1.1"))
    with pytest.raises(gr.Error, match=re.escape(EXPIRED)):
        area.remove("not-a-session", "short-breaks", True)
    assert (settings.corpus_dir / "local-offer" / "short-breaks.md").exists()
    area.login("my-secret-password", "x", "", "", "title", request)  # password in the name box
    token = area.login("alice", "pw-for-alice-1", "", "", "title", request)[0]
    message, _ = area.remove(token, "short-breaks", False)
    assert message.startswith("Tick")
    assert (settings.corpus_dir / "local-offer" / "short-breaks.md").exists()
    entries = area.audit.entries()
    assert [(e["who"], e["action"]) for e in entries] == [
        ("(unknown name)", "login refused"),
        ("alice", "logged in"),
    ]
    assert "my-secret-password" not in area.audit.path.read_text(encoding="utf-8")


def test_replace_puts_a_pdf_in_place_of_a_markdown_document(
    settings: Settings, tmp_path: Path
) -> None:
    from dataclasses import replace

    old = settings.corpus_dir / "local-offer" / "short-breaks.md"
    form = replace(FORM, collection="local_offer", doc_id="short-breaks")
    staged = stage_upload(make_pdf(tmp_path / "leaflet.pdf"), "leaflet.pdf", form, settings)
    try:
        with pytest.raises(UploadRefused, match=r"^File name: a document called 'short-breaks'"):
            publish(staged, settings)
        assert old.exists()
        target = publish(staged, settings, replace=True)
    finally:
        staged.discard()
    assert target == settings.corpus_dir / "local-offer" / "short-breaks.pdf"
    assert not old.exists() and target.with_name("short-breaks.meta.yaml").exists()
    assert not [p for p in settings.corpus_dir.rglob(".*")]  # no temporary files left
    rows = [r for r in list_documents(settings, {}) if r.doc_id == "short-breaks"]
    assert [(r.title, r.file) for r in rows] == [
        ("Sensory Swap Shop", "local-offer/short-breaks.pdf")
    ]


@pytest.mark.slow
def test_a_change_made_during_an_ingest_is_ingested_when_it_ends(settings: Settings) -> None:
    from argon2 import PasswordHasher
    from filelock import FileLock

    from assistant.corpus.ingest import ingest_lock_path
    from assistant.interfaces.staff.actions import StaffArea
    from assistant.interfaces.staff.auth import StaffAuth

    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    staffed = settings.model_copy(update={"staff_users": f"alice:{hasher.hash('pw-for-alice-1')}"})
    runner = IngestRunner(staffed)
    area = StaffArea(staffed, StaffAuth(staffed, hasher=hasher), runner, None)
    request: Any = SimpleNamespace(client=SimpleNamespace(host="10.1.1.1"))
    token = area.login("alice", "pw-for-alice-1", "", "", "title", request)[0]
    lock = ingest_lock_path(staffed)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(lock, timeout=0):  # another ingest (say, from the command line) is running
        assert area.run_ingest(token).startswith("An ingest is already running")
        area.tick(token, "", "title")
        assert runner.status().state == "idle"
    area.tick(token, "", "title")  # the page's next poll starts the waiting ingest
    assert "23 added" in wait_for(runner)
    assert [e["action"] for e in area.audit.entries()] == ["logged in", "started ingest"]


@pytest.mark.slow
def test_publish_needs_a_preview_of_exactly_what_goes_live(
    settings: Settings, tmp_path: Path
) -> None:
    from argon2 import PasswordHasher

    from assistant.interfaces.staff.actions import StaffArea
    from assistant.interfaces.staff.auth import StaffAuth

    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    staffed = settings.model_copy(update={"staff_users": f"alice:{hasher.hash('pw-for-alice-1')}"})
    runner = IngestRunner(staffed)
    area = StaffArea(staffed, StaffAuth(staffed, hasher=hasher), runner, None)
    request: Any = SimpleNamespace(client=SimpleNamespace(host="10.1.1.1"))
    token = area.login("alice", "pw-for-alice-1", "", "", "title", request)[0]
    pdf = str(make_pdf(tmp_path / "swap-shop.pdf"))
    fields = [
        FORM.collection,
        FORM.title,
        FORM.source_url,
        FORM.publisher,
        FORM.last_checked,
        "",
        "",
    ]
    assert area.publish(token, pdf, "", *fields, False)[2].startswith("**Refused.** The file or")
    preview, _, message = area.preview(token, pdf, "", *fields)
    assert "up to eight weeks" in preview and message.startswith("Checked")
    retitled = [fields[0], "Another title", *fields[2:]]
    assert "changed since the preview" in area.publish(token, pdf, "", *retitled, False)[2]
    assert not list(settings.corpus_dir.rglob("swap-shop*"))
    assert area.publish(token, pdf, "", *fields, False)[2].startswith("Published swap-shop.pdf.")
    assert " added" in wait_for(runner)
    assert (settings.corpus_dir / "family-hubs" / "swap-shop.pdf").exists()
