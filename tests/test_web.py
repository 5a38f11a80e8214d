"""The Gradio app starts, answers through gradio_client, renders safely and saves feedback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import free_port

from assistant.answering.answer import Answer, Citation, Kind, Statement
from assistant.interfaces.web import build_app, render_answer, serve
from assistant.pipeline import AnswerPipeline
from assistant.records import ConversationRecords


def text_of(message: dict) -> str:  # type: ignore[type-arg]
    """Gradio 6 sends message content as a list of typed parts."""
    content = message["content"]
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content)
    return str(content)


def serve_locally(app: Any, settings: Any) -> int:
    """Start the app on a free 127.0.0.1 port without blocking; returns the port."""
    port = free_port()
    serve(
        app, settings, server_name="127.0.0.1", server_port=port, prevent_thread_lock=True,
        quiet=True,
    )  # fmt: skip
    return port


@pytest.fixture(scope="module")
def running_app(
    tiny_pipeline: AnswerPipeline, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    log_dir = tmp_path_factory.mktemp("weblogs")
    app = build_app(tiny_pipeline, ConversationRecords(log_dir))
    port = serve_locally(app, tiny_pipeline.settings)
    try:
        yield f"http://127.0.0.1:{port}/", log_dir
    finally:
        app.close()


@pytest.mark.slow
def test_app_answers_through_gradio_client(running_app: tuple[str, Path]) -> None:
    from gradio_client import Client

    url, log_dir = running_app
    client = Client(url, verbose=False)
    messages, box = client.predict(
        "My son's email is tom@example.com. How many Aiming High sessions can he have?",
        [],
        api_name="/respond",
    )
    assert box == ""
    assert messages[0]["role"] == "user" and "tom@example.com" in text_of(messages[0])
    answer = text_of(messages[1])
    assert "2 sessions a month" in answer
    assert "[[1]](https://localoffer.stoke.gov.uk/things-2/aiming-high-activities/3)" in answer
    # The cited passage is in a native <details> panel under the answer.
    panel = answer.split('<details class="source"><summary>Source [1]: ', 1)[1]
    assert "24 sessions a year" in panel.split("</details>", 1)[0]
    logged = ConversationRecords(log_dir).store.answers_between(dt.datetime(2000, 1, 1))
    assert logged[-1].kind == "answered"
    assert "tom@example.com" not in logged[-1].question
    assert "Aiming High sessions" in logged[-1].question


def test_rendering_neutralises_html_and_markdown_from_documents() -> None:
    citation = Citation(
        1,
        "Evil <b>title</b>",
        "https://x.gov.uk/p",
        "",
        "",
        "d",
        "local_offer",
        "<img src=x onerror=alert(1)>",
        "2026-11-25",
        "c1",
    )
    answer = Answer(
        kind=Kind.ANSWERED,
        statements=[Statement("Call <script>alert(1)</script> [now](javascript:alert(1)).", 1)],
        citations=[citation],
    )
    html = render_answer(answer)
    assert "<script>" not in html and "<b>" not in html
    assert "](javascript:" not in html
    assert "[[1]](https://x.gov.uk/p)" in html


def test_limits_count_per_session_and_feedback_needs_a_real_answer() -> None:
    from assistant.interfaces.limits import AnswerLedger, RateLimiter

    limiter = RateLimiter(limit=2, window_s=60.0, max_keys=2)
    assert [limiter.allow("a") for _ in range(3)] == [True, True, False]
    assert limiter.allow("b")  # another parent is not held up
    ledger = AnswerLedger(capacity=2)
    ledger.add("answer one")
    assert "answer one" in ledger and "made-up text" not in ledger
    ledger.add("answer two")
    ledger.add("answer three")
    assert "answer one" not in ledger  # memory stays bounded


@pytest.mark.slow
def test_an_address_asking_too_fast_is_told_to_wait(
    tiny_pipeline: AnswerPipeline, tmp_path: Path
) -> None:
    import httpx

    from assistant.interfaces.api_client import ask

    settings = tiny_pipeline.settings.model_copy(update={"questions_per_minute_per_address": 2})
    app = build_app(tiny_pipeline, ConversationRecords(tmp_path), settings)
    port = serve_locally(app, settings)
    try:
        with httpx.Client() as client:
            replies = [
                ask(client, f"http://127.0.0.1:{port}/", "What is a SENCO?") for _ in range(3)
            ]
    finally:
        app.close()
    assert [r.error is None for r in replies] == [True, True, False]
    assert "SENCO" in replies[1].last_text()


@pytest.mark.slow
def test_the_page_is_served_while_the_pipeline_loads(
    tiny_pipeline: AnswerPipeline, tmp_path: Path
) -> None:
    import threading
    from concurrent.futures import Future

    import httpx

    from assistant.interfaces.api_client import ask

    loading: Future[AnswerPipeline] = Future()
    app = build_app(loading, ConversationRecords(tmp_path), tiny_pipeline.settings)
    port = serve_locally(app, tiny_pipeline.settings)
    try:
        with httpx.Client() as client:
            page = client.get(f"http://127.0.0.1:{port}/")
            assert page.status_code == 200 and not loading.done()
            # The question is asked before loading ends, and answered once it does.
            threading.Timer(2.0, loading.set_result, [tiny_pipeline]).start()
            reply = ask(client, f"http://127.0.0.1:{port}/", "What is a SENCO?")
    finally:
        app.close()
    assert reply.error is None and "SENCO" in reply.last_text()
    assert "still starting up" not in reply.last_text()
