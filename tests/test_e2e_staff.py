"""The staff area in real Chromium: a wrong password is refused; a staff member logs in, uploads
a PDF, previews it, publishes it, and the parents' chat then answers from it with a citation."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from conftest import CHROMIUM, CHROMIUM_ARGS, TINY_CORPUS, free_port
from test_e2e_parent_page import ask
from test_staff_documents import FORM, QUESTION, make_pdf

from assistant.config import PROJECT_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PASSWORD = "a-long-staff-password"


@pytest.fixture(scope="module")
def staff_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """app.py on a copy of the tiny corpus with one staff account; yields its address and folder."""
    root = tmp_path_factory.mktemp("staff-e2e")
    shutil.copytree(TINY_CORPUS, root / "corpus")
    port = free_port()
    log = root / "app.log"
    env = {
        **os.environ,
        "SEND_CORPUS_DIR": str(root / "corpus"),
        "SEND_INDEX_DIR": str(root / "index"),
        "SEND_LOG_DIR": str(root / "logs"),
        "SEND_PORT": str(port),
        "SEND_STAFF_USERS": f"alice:{PasswordHasher().hash(PASSWORD)}",
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "app.py"], cwd=PROJECT_ROOT, env=env, stdout=out, stderr=out
        )
    try:
        for _ in range(240):
            if process.poll() is not None:
                raise AssertionError(f"app.py exited early:\n{log.read_text()}")
            if "Ready to answer." in log.read_text():
                with socket.create_connection(("127.0.0.1", port), timeout=5):
                    break
            time.sleep(1)
        else:
            raise AssertionError(f"app.py did not start:\n{log.read_text()}")
        yield f"http://127.0.0.1:{port}/", root
    finally:
        process.terminate()
        process.wait(timeout=30)


def log_in(page: Any, url: str, password: str) -> None:
    page.goto(url + "staff")
    fill(page, "staff-name", "alice")
    page.locator("#staff-password input").fill(password)
    page.locator("#staff-login").click()


def serious_accessibility_problems(page: Any) -> list[tuple[str, list[Any]]]:
    """axe-core's serious and critical findings on the page (axe ships in its wheel)."""
    from axe_playwright_python.sync_playwright import Axe

    # A component still waiting on an event is drawn at 20 % opacity, which axe rightly reads as
    # too little contrast: judge the page once its events have finished.
    page.wait_for_function("document.querySelectorAll('.pending').length === 0", timeout=30_000)
    results = Axe().run(page).response
    assert results["passes"]  # axe really ran
    return [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def fill(page: Any, elem_id: str, value: str) -> None:
    page.locator(f"#{elem_id} input, #{elem_id} textarea").first.fill(value)


def test_upload_preview_publish_then_the_chat_cites_the_pdf(
    staff_app: tuple[str, Path], tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, root = staff_app
    pdf = make_pdf(tmp_path / "sensory-swap-shop.pdf")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        log_in(page, url, "not the password")
        expect(page.get_by_text("That user name and password do not match")).to_be_visible(
            timeout=30_000
        )
        assert serious_accessibility_problems(page) == []
        expect(page.get_by_role("tab", name="Upload")).to_have_count(0)

        log_in(page, url, PASSWORD)
        expect(page.get_by_text("Logged in as")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("short-breaks", exact=True)).to_be_visible()  # documents table
        assert serious_accessibility_problems(page) == []
        page.get_by_role("tab", name="Upload").click()
        page.locator("#staff-file input[type=file]").set_input_files(str(pdf))
        # Uploaded: the file's own link appears (its name is drawn as two parts, stem and ".pdf").
        uploaded = page.locator('#staff-file a[href$="/sensory-swap-shop.pdf"]')
        expect(uploaded).to_have_count(1, timeout=30_000)
        page.locator("#upload-collection input").click()
        page.get_by_role("option", name="Family hubs").click()
        fill(page, "upload-title", FORM.title)
        fill(page, "upload-url", FORM.source_url)
        fill(page, "upload-publisher", FORM.publisher)
        fill(page, "upload-checked", FORM.last_checked)
        publish = page.locator("#staff-publish")
        expect(publish).to_be_disabled()
        page.locator("#staff-preview").click()
        preview = page.locator("#staff-preview-text")
        expect(preview).to_contain_text("Sensory Swap Shop: 1 passage(s)", timeout=30_000)
        expect(preview).to_contain_text("borrow each item for up to eight weeks")
        publish.click()
        expect(page.get_by_text("Published sensory-swap-shop.pdf")).to_be_visible(timeout=30_000)
        expect(page.locator("#staff-ingest")).to_contain_text("Ingest done", timeout=120_000)
        expect(page.locator("#staff-ingest")).to_contain_text("1 added")

        chat = browser.new_page(viewport={"width": 1280, "height": 1000})
        chat.goto(url)
        ask(chat, QUESTION)
        answer = chat.locator('#chat [aria-label^="bot\'s message"]').last
        expect(answer).to_contain_text("lends weighted blankets")
        sources = answer.locator(f'a[href="{FORM.source_url}"]')
        expect(sources.first).to_be_visible()
        assert FORM.title in sources.all_inner_texts()

        # The gaps report, behind the same login, counts the question just asked.
        page.get_by_role("tab", name="Gaps report").click()
        page.locator("#gaps-show").click()
        expect(page.locator("#gaps-table")).to_contain_text("answered", timeout=30_000)
        browser.close()
    published = root / "corpus" / "family-hubs" / "sensory-swap-shop.pdf"
    assert published.read_bytes() == pdf.read_bytes()
    audit = (root / "logs" / "staff-audit.jsonl").read_text(encoding="utf-8")
    assert '"action": "login refused"' in audit and '"action": "published"' in audit
    assert QUESTION not in audit


def test_staff_page_is_not_linked_from_the_parents_page(staff_app: tuple[str, Path]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, _ = staff_app
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url)
        expect(page.locator("#question textarea")).to_be_visible(timeout=30_000)
        assert page.locator('a[href*="staff"]').count() == 0
        assert page.get_by_text("Home", exact=True).is_hidden()
        browser.close()


def test_without_staff_accounts_the_staff_page_says_it_is_disabled(
    served_app: tuple[str, Path, str],
) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, _, _ = served_app  # started without SEND_STAFF_USERS or a credentials file
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url + "staff")
        expect(page.locator("#staff-disabled")).to_contain_text(
            "Staff area disabled: no staff accounts are configured. Set SEND_STAFF_USERS",
            timeout=30_000,
        )
        assert page.locator("#staff-password").count() == 0
        browser.close()
