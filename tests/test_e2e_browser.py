"""End to end: the real app.py, started on an empty index, driven in headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TINY_CORPUS, free_port

from assistant.config import PROJECT_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Debian's Chromium otherwise tries to reach Google's hosts at every start.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def served_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, str]]:
    root = tmp_path_factory.mktemp("e2e")
    port = free_port()
    log = root / "app.log"
    env = {
        **os.environ,
        "SEND_CORPUS_DIR": str(TINY_CORPUS),
        "SEND_INDEX_DIR": str(root / "index"),  # empty: the app must build it
        "SEND_LOG_DIR": str(root / "logs"),
        "SEND_PORT": str(port),
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.time() + 240
        while time.time() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"app.py exited early:\n{log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(1)
        else:
            raise AssertionError(f"app.py did not start:\n{log.read_text()}")
        yield f"http://127.0.0.1:{port}/", root, log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=30)


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
        feedback = root / "logs" / "feedback.jsonl"
        for _ in range(40):
            if feedback.exists():
                break
            time.sleep(0.25)
        browser.close()
    record = json.loads(feedback.read_text().splitlines()[-1])
    assert record["helpful"] is True and "Aiming High" in record["question"]
    answers = (root / "logs" / "answers.jsonl").read_text()
    assert "<b>" not in answers
