"""The gaps panel the staff area mounts, in real Chromium: dates in, the topic table out."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, free_port

from assistant.config import Settings
from assistant.feedback.store import DocumentRef, RecordStore

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_staff_see_the_gaps_table_and_charts(tmp_path: Path) -> None:
    import gradio as gr
    from playwright.sync_api import expect, sync_playwright

    from assistant.feedback.panel import gaps_panel

    store = RecordStore(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    for question in ("Can we get a taxi to holiday club?", "Is there transport in August?"):
        store.add_answer(
            question=question, kind="not_found", status="not_found",
            documents=[DocumentRef("school-and-post-16-transport", role="nearest", position=1)],
        )  # fmt: skip
    with gr.Blocks() as app:
        gaps_panel(Settings(log_dir=tmp_path), store)
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_role("button", name="Show report").click()
            table = page.locator("#gaps-table table").first
            expect(table).to_be_visible(timeout=30_000)
            row = table.locator("tr", has_text="Transport")
            expect(row).to_contain_text("Can we get a taxi to holiday club?")
            expect(row.locator("td").nth(2)).to_have_text("2")  # not covered
            expect(page.locator("#gaps-csv")).to_contain_text("gaps-")
            browser.close()
    finally:
        app.close()
