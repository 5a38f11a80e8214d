"""A parent on a phone marks an answer "not helpful", ticks reasons and comments, by keyboard,
in real Chromium; staff then find it in the record store, with the personal details removed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, stored_answers, stored_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

QUESTION = "Can my son get help with transport to school?"
COMMENT = "I'm Jane Example, call me on 07700 900123: the age limit it gave looks wrong"
PHONE = {"width": 390, "height": 844}


def test_not_helpful_with_reasons_and_a_comment_is_stored_redacted(
    served_app: tuple[str, Path, str],
) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect, sync_playwright

    url, root, _ = served_app
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=PHONE)
        page.goto(url)
        # The privacy notice states how long records are kept (SEND_RETENTION_DAYS).
        expect(page.get_by_text("We delete these records after 180 days.")).to_be_visible(
            timeout=30_000
        )
        box = page.locator("#question textarea")
        box.fill(QUESTION)
        box.press("Enter")
        dislike = page.locator("#chat button[aria-label='Dislike']")
        expect(dislike).to_have_count(1, timeout=60_000)
        form = page.locator(".feedback-form").first
        expect(form).to_be_hidden()

        dislike.last.click()
        expect(form).to_be_visible(timeout=30_000)
        expect(form.get_by_text("Sorry this answer did not help")).to_be_visible()
        # Focus moves into the form: the first reason is ticked from the keyboard.
        wrong = form.get_by_label("Wrong", exact=True)
        expect(wrong).to_be_focused(timeout=10_000)
        page.keyboard.press("Space")
        expect(wrong).to_be_checked()
        form.get_by_label("Out of date").check()
        form.get_by_label("Comment").fill(COMMENT)

        results = Axe().run(page).response
        serious = [
            (v["id"], [n["target"] for n in v["nodes"]])
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == []
        send = form.get_by_role("button", name="Send feedback")
        size = send.bounding_box()
        assert size is not None and size["height"] >= 24 and size["x"] + size["width"] <= PHONE["width"]
        send.click()
        expect(form).to_be_hidden(timeout=30_000)
        expect(page.locator("#feedback-status")).to_have_text(
            "Thank you: your reasons and comment have been saved."
        )
        expect(page.locator("#feedback-status")).to_have_attribute("role", "status")
        browser.close()

    deadline = time.monotonic() + 30
    while True:  # the server answers the click after committing; allow for a slow machine
        record = next(r for r in stored_answers(root / "logs") if "transport" in r.question)
        if record.comment or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert record.helpful is False
    assert record.reasons == ["wrong", "out_of_date"]
    assert record.comment == "I'm [name], call me on [phone]: the age limit it gave looks wrong"
    on_disk = stored_bytes(root / "logs")
    for secret in (b"Jane", b"07700", b"900123"):
        assert secret not in on_disk
