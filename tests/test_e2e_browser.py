"""End to end: the real app.py, started on an empty index, driven in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, stored_answers

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_parent_asks_and_checks_the_source(served_app: tuple[str, Path, str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, root, startup = served_app
    assert "building it from the corpus" in startup  # the empty index was built, with progress
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1400})
        page.goto(url)
        expect(page.get_by_text("This is information, not legal advice.")).to_be_visible(
            timeout=30_000
        )
        expect(page.get_by_text("What are Aiming High short breaks?").first).to_be_visible()

        box = page.locator("#question textarea")
        box.fill("How many Aiming High sessions can my daughter have? <b>bold</b>")
        box.press("Enter")
        chat = page.locator("#chat")
        expect(chat.get_by_text("2 sessions a month").first).to_be_visible(timeout=60_000)
        link = chat.locator(
            "a[href='https://localoffer.stoke.gov.uk/things-2/aiming-high-activities/3']"
        )
        expect(link.first).to_be_visible()
        assert chat.locator("b", has_text="bold").count() == 0  # markup in the question stays inert

        chat.get_by_text("Source [1]").first.click()
        expect(chat.get_by_text("24 sessions a year").first).to_be_visible(timeout=10_000)
        page.screenshot(path=str(root / "chat.png"), full_page=True)

        chat.locator("button[aria-label='Like']").last.click()
        expect(page.get_by_text("your feedback has been saved")).to_be_visible(timeout=30_000)
        browser.close()
    record = next(r for r in stored_answers(root / "logs") if "Aiming High" in r.question)
    assert record.helpful is True
    assert "<b>" not in record.question
