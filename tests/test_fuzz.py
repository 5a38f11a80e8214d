"""Fuzz: 520 generated hostile inputs (fixed seed) through `ask --batch` and the web API.

No crash, one result per line, an error result exactly for the lines that are not a valid
request, and the web chat answers every question. (Time per request is measured, not asserted,
in benchmarks/fuzz_timing.py.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from conftest import free_port
from fuzz_cases import generate

from assistant.config import PROJECT_ROOT
from assistant.interfaces.api_client import ask
from assistant.interfaces.web import build_app, serve
from assistant.pipeline import AnswerPipeline
from assistant.records import ConversationRecords

KINDS = {"answered", "not_found", "out_of_scope", "safeguarding"}
pytestmark = pytest.mark.slow


def test_batch_survives_every_generated_line(tiny_pipeline: AnswerPipeline, tmp_path: Path) -> None:
    cases = generate()
    assert len(cases) >= 500
    batch = tmp_path / "fuzz.jsonl"
    batch.write_bytes(b"\n".join(case.batch_line() for case in cases) + b"\n")
    settings = tiny_pipeline.settings
    env = {
        **os.environ,
        "SEND_CORPUS_DIR": str(settings.corpus_dir),
        "SEND_INDEX_DIR": str(settings.index_dir),
        "SEND_LOG_DIR": str(tmp_path / "logs"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "--batch", str(batch)],
        capture_output=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=1200,
    )
    assert b"Traceback" not in result.stderr, result.stderr[-3000:]
    lines = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert len(lines) == len(cases)
    for case, line in zip(cases, lines, strict=True):
        if case.raw_line is not None:
            assert "error" in line and "line" in line["error"], (case.raw_line[:80], line)
        else:
            assert line.get("kind") in KINDS, (case.question and case.question[:80], line)
            assert "PWNED" not in line["answer"]  # input is never reflected
    assert result.returncode == 1  # some lines were bad, and said so


def test_web_api_answers_every_generated_question(
    tiny_pipeline: AnswerPipeline, tmp_path: Path
) -> None:
    settings = tiny_pipeline.settings.model_copy(
        update={"questions_per_minute_per_address": 100_000}
    )
    app = build_app(tiny_pipeline, ConversationRecords(tmp_path), settings)
    port = free_port()
    serve(
        app,
        settings,
        server_name="127.0.0.1",
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
    )
    try:
        with httpx.Client() as client:
            questions = [case for case in generate() if case.question is not None]
            assert len(questions) >= 440
            for case in questions:
                reply = ask(client, f"http://127.0.0.1:{port}/", case.question or "", case.history)
                assert reply.error is None and reply.box == "", case.question[:80]
                assert reply.messages[-1]["role"] == "assistant", case.question[:80]
                text = reply.last_text()
                assert len(text) > 20 and "PWNED" not in text, case.question[:80]
    finally:
        app.close()
