"""Hostile input: bounded work before any pattern, no crash on broken text, nothing reflected."""

from __future__ import annotations

import pytest

from assistant.answering.guard import clean_turn, guard_input
from assistant.pipeline import AnswerPipeline


@pytest.mark.parametrize(
    ("text", "expected_start"),
    [
        ("[" * 100_000, ""),
        ("<script>" * 20_000, ""),
        ("What is a SENCO? " + "[a](" * 30_000, "What is a SENCO? [a]("),
        ("What is a SENCO? <script>never closed " + "x" * 50_000, "What is a SENCO?"),
        ("\ud800 What is a SENCO? \udcff\x00", "\ufffd What is a SENCO? \ufffd"),
    ],
)
def test_the_guard_trims_first_and_survives_crafted_text(text: str, expected_start: str) -> None:
    guarded = guard_input(text, 2000)
    assert len(guarded.text) <= 2000
    assert guarded.text.startswith(expected_start)
    assert guarded.is_empty == (expected_start == "")
    guarded.text.encode("utf-8")  # no lone surrogate is left to break a tokenizer or a log


def test_earlier_turns_are_cut_and_cleaned() -> None:
    cleaned = clean_turn("hello \ud800\x07" + "x" * 100_000, 2000)
    assert cleaned.startswith("hello \ufffd ") and len(cleaned) == 8000
    assert clean_turn(None, 2000) == ""


@pytest.mark.slow
def test_not_found_never_repeats_the_question(tiny_pipeline: AnswerPipeline) -> None:
    answer = tiny_pipeline.answer("What is PWNED?")
    assert answer.kind == "not_found"
    assert "PWNED" not in answer.text and "couldn't find that name" in answer.text


@pytest.mark.slow
def test_a_huge_question_is_answered_from_its_start(tiny_pipeline: AnswerPipeline) -> None:
    answer = tiny_pipeline.answer("What is a SENCO? " + "[" * 100_000)
    assert answer.kind == "answered" and "SENCO" in answer.text
    assert any("2,000" in note for note in answer.notes)  # the parent is told it was trimmed
