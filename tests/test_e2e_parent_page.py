"""The parent's page in real Chromium: nothing personal kept, accessible on desktop and phone.

axe-core comes from the axe-playwright-python wheel (axe.min.js ships inside it): no network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, stored_answers, stored_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

JANE = (
    "My name is Jane Example, email jane@example.com, phone 07700 900123. "
    "Can I get help with school transport?"
)
SECRETS = ("Jane", "jane@example.com", "07700", "900123")
QUESTIONS = [
    JANE,
    "How many Aiming High sessions can my daughter have?",
    "How long does the council have to decide whether to assess?",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def ask(page: Any, question: str) -> None:
    """Type a question, press Enter and wait until its answer (with its sources) is complete."""
    from playwright.sync_api import expect

    answers = page.locator('#chat [aria-label^="bot\'s message"]')
    before = answers.count()
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    expect(answers).to_have_count(before + 1, timeout=60_000)
    # The last streamed update is the one that carries the source panels (or feedback buttons).
    expect(page.locator("#chat button[aria-label='Like']")).to_have_count(
        before + 1, timeout=60_000
    )


def stored_in_browser(page: Any) -> str:
    """Everything the page left in localStorage, sessionStorage, cookies and IndexedDB names."""
    storage = page.evaluate(
        """async () => JSON.stringify({
            local: Object.assign({}, localStorage),
            session: Object.assign({}, sessionStorage),
            cookies: document.cookie,
            indexeddb: indexedDB.databases ? (await indexedDB.databases()).map(d => d.name) : [],
        })"""
    )
    return str(storage) + json.dumps(page.context.cookies())


def test_nothing_personal_is_kept_after_a_reload(served_app: tuple[str, Path, str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, root, _ = served_app
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=DESKTOP)
        page.goto(url)
        ask(page, JANE)
        page.locator("#chat button[aria-label='Like']").last.click()
        expect(page.get_by_text("your feedback has been saved")).to_be_visible(timeout=30_000)
        during = stored_in_browser(page)
        page.reload()
        expect(page.locator("#question textarea")).to_be_visible(timeout=30_000)
        after = stored_in_browser(page)
        # No run history, API, settings or "built with" links for a parent to find.
        for link in ("Runs", "Use via API", "Settings", "Built with Gradio"):
            assert page.get_by_text(link, exact=True).count() == 0, link
        assert page.locator('#chat [aria-label^="bot\'s message"]').count() == 0
        expect(page.get_by_text("nothing is kept in your browser")).to_be_visible()
        browser.close()
    server_side = (root / "app.log").read_bytes() + stored_bytes(root / "logs")
    record = next(r for r in stored_answers(root / "logs") if "school transport" in r.question)
    assert record.helpful is True
    for secret in SECRETS:
        assert secret not in during and secret not in after, secret
        assert secret.encode() not in server_side, secret


def check_accessibility(page: Any, viewport: dict[str, int], shots: Path) -> None:
    """Three answers, then axe-core, keyboard, screen-reader labels, sizes and layout."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    box = page.locator("#question textarea")
    expect(box).to_be_visible(timeout=30_000)
    top = box.bounding_box()
    assert top is not None and top["y"] + top["height"] <= viewport["height"]  # first screen
    for question in QUESTIONS:
        ask(page, question)
        # The start of the new answer is on screen (the page scrolls after it renders).
        page.wait_for_function(
            """(height) => {
                const answers = document.querySelectorAll(
                    "#chat [aria-label^=\\"bot's message\\"]");
                const top = answers[answers.length - 1].getBoundingClientRect().top;
                return top >= 0 && top < height - 100;
            }""",
            arg=viewport["height"],
            timeout=15_000,
        )
    # Gradio re-renders the whole chat after an answer's last update, and for a moment a
    # message can carry an empty label ("user's message: "); axe run in that moment flagged
    # it (one run in five). Wait for every message to be labelled with its text: a message
    # left empty still fails here, by timeout.
    page.wait_for_function(
        """() => [...document.querySelectorAll('#chat [aria-label$="message: "]')].length === 0""",
        timeout=15_000,
    )
    page.screenshot(path=str(shots / f"answers-{viewport['width']}.png"), full_page=True)

    results = Axe().run(page).response
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    assert results["passes"]  # axe really ran over the page

    # Source panels: keyboard only, and their state is announced.
    summary = page.locator("#chat details.source > summary").first
    expect(summary).to_have_attribute("aria-expanded", "false")
    summary.focus()
    page.keyboard.press("Space")
    expect(summary).to_have_attribute("aria-expanded", "true")
    passage = page.locator("#chat details.source .passage").first
    expect(passage).to_be_visible()
    assert float(passage.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 16
    page.keyboard.press("Enter")
    expect(summary).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(summary).to_have_attribute("aria-expanded", "true")

    # What a screen reader hears is plain text, not Markdown.
    labels = page.locator('#chat [aria-label^="bot\'s message"]').evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label'))"
    )
    assert len(labels) == 3
    for label in labels:
        for markup in ("[[", "](", "\\(", "**", "<details"):
            assert markup not in label, (markup, label[:200])

    # Every link in the chat is at least a 24 x 24 px target (WCAG 2.2, 2.5.8).
    sizes = page.locator("#chat a:visible").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return [e.textContent, r.width, r.height]; })"
    )
    assert sizes and all(w >= 24 and h >= 24 for _, w, h in sizes), sizes

    # Each answer's sources list names each document once.
    listed = page.evaluate(
        """() => Array.from(document.querySelectorAll('#chat strong'))
            .filter(s => s.textContent === 'Sources')
            .map(s => Array.from(s.closest('p').nextElementSibling.querySelectorAll('a'))
                .map(a => a.href))"""
    )
    assert len(listed) == 3
    for hrefs in listed:
        assert hrefs and len(hrefs) == len(set(hrefs)), hrefs


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_page_is_accessible_after_three_answers(
    served_app: tuple[str, Path, str], viewport: dict[str, int]
) -> None:
    from playwright.sync_api import sync_playwright

    url, root, _ = served_app
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=viewport)
        page.goto(url)
        check_accessibility(page, viewport, root)  # screenshots stay in the test's folder
        browser.close()
