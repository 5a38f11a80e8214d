"""The `python -m assistant ask` contract, run as a real subprocess over the tiny index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings
from assistant.pipeline import AnswerPipeline


def run_cli(args: list[str], settings: Settings) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SEND_CORPUS_DIR": str(settings.corpus_dir),
        "SEND_INDEX_DIR": str(settings.index_dir),
        "SEND_TODAY": "2026-11-25",
    }
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=300,
    )


@pytest.mark.slow
def test_ask_json_contract(tiny_pipeline: AnswerPipeline, tmp_path: Path) -> None:
    history = tmp_path / "history.json"
    history.write_text(
        json.dumps(
            [
                {"role": "user", "content": "How do I ask SENMAS for an assessment?"},
                {"role": "assistant", "content": "You can email SENMAS."},
            ]
        )
    )
    result = run_cli(
        ["ask", "what is their phone number?", "--json", "--history", str(history)],
        tiny_pipeline.settings,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["kind"] == "answered"
    assert "01782 231863" in data["answer"]
    assert data["standalone_question"] != "what is their phone number?"
    citation = data["citations"][0]
    assert set(citation) >= {"n", "title", "url", "section", "snippet"}
    assert citation["n"] == 1 and citation["url"].startswith("https://")


@pytest.mark.slow
def test_batch_answers_every_line_and_reports_bad_ones(
    tiny_pipeline: AnswerPipeline, tmp_path: Path
) -> None:
    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        json.dumps({"question": "What is a SENCO?"})
        + "\n"
        + "{not json\n"
        + json.dumps(
            {
                "question": "how long does that take?",
                "history": [
                    {"role": "user", "content": "What is the overall time limit for an EHC plan?"}
                ],
            }
        )
        + "\n"
        + json.dumps({"question": "I want to kill myself"})
        + "\n"
    )
    result = run_cli(["ask", "--batch", str(batch)], tiny_pipeline.settings)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 1  # one bad line
    assert len(lines) == 4
    assert lines[0]["kind"] == "answered"
    assert "not valid JSON" in lines[1]["error"] and "line 2" in lines[1]["error"]
    assert lines[2]["kind"] == "answered"
    assert lines[3]["kind"] == "safeguarding"


def test_bad_history_file_is_a_clear_error(tmp_path: Path) -> None:
    from assistant.interfaces.cli import InputError, read_history

    path = tmp_path / "history.json"
    path.write_text('{"role": "user"}')
    with pytest.raises(InputError, match="must be a JSON list"):
        read_history(path)
    path.write_text('[{"role": "robot", "content": "hi"}]')
    with pytest.raises(InputError, match="turn 1 needs role"):
        read_history(path)
    with pytest.raises(InputError, match="does not exist"):
        read_history(tmp_path / "missing.json")


def test_unreadable_history_and_batch_files_are_clear_errors(tmp_path: Path) -> None:
    from assistant.interfaces.cli import InputError, read_batch, read_history

    latin = tmp_path / "latin.json"
    latin.write_bytes(b'[{"role": "user", "content": "caf\xe9"}]')
    with pytest.raises(InputError, match="not UTF-8 text"):
        read_history(latin)
    with pytest.raises(InputError, match="is a folder"):
        read_history(tmp_path)
    with pytest.raises(InputError, match="is a folder"):
        read_batch(tmp_path)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputError, match="nested too deeply"):
        read_history(deep)


def test_cli_errors_name_the_file_without_a_traceback(tmp_path: Path) -> None:
    latin = tmp_path / "latin.json"
    latin.write_bytes(b"\xff\xfe[]")
    result = run_cli(["ask", "What is a SENCO?", "--history", str(latin)], Settings())
    assert result.returncode == 2
    assert "not UTF-8 text" in result.stderr and "Traceback" not in result.stderr
    result = run_cli(["ask", "--batch", str(tmp_path)], Settings())
    assert result.returncode == 2
    assert "is a folder" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_bad_lines_give_one_error_each_and_the_batch_goes_on(
    tiny_pipeline: AnswerPipeline, tmp_path: Path
) -> None:
    batch = tmp_path / "batch.jsonl"
    batch.write_bytes(
        b'{"question": "What is a SENCO? \xff"}\n'
        + b'{"question": "x", "history": '
        + b"[" * 50_000
        + b"]" * 50_000
        + b"}\n"
        + b'{"question": "What is a SENCO? \\ud800", "history": '
        + b'[{"role": "user", "content": "hello \\udcff"}]}\n'
        + b'{"question": "What is a SENCO?"}\n'
    )
    result = run_cli(["ask", "--batch", str(batch)], tiny_pipeline.settings)
    assert "Traceback" not in result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 4
    assert "line 1: not UTF-8 text" in lines[0]["error"]
    assert "line 2: JSON nested too deeply" in lines[1]["error"]
    assert lines[2]["kind"] == "answered" and "SENCO" in lines[2]["answer"]
    assert lines[3]["kind"] == "answered"
    assert result.returncode == 1


@pytest.mark.slow
def test_a_lone_surrogate_in_a_question_is_answered(tiny_pipeline: AnswerPipeline) -> None:
    result = run_cli(["ask", "What is a SENCO? \udcff", "--json"], tiny_pipeline.settings)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout)["kind"] == "answered"
