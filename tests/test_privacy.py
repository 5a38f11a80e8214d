"""Personal details: dropped before the question is understood, and never written to a log."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.pipeline import AnswerPipeline
from assistant.privacy import redact, without_personal_details
from assistant.records import ConversationRecords

DETAILED = (
    "My name is Jane Example, my daughter Amy Example (DOB 03/04/2015), phone 07700 900123. "
    "How many Aiming High sessions can Amy have?"
)
PLAIN = "How many Aiming High sessions can my child have?"


@pytest.mark.parametrize(
    ("text", "secrets"),
    [
        (DETAILED, ["Jane", "Example", "Amy", "03/04/2015", "07700 900123"]),
        ("Jane Example here, can I get help with transport?", ["Jane", "Example"]),
        ("MY NAME IS JANE EXAMPLE AND MY SON TOM NEEDS HELP", ["JANE", "EXAMPLE", "TOM"]),
        ("my name is jane example, what is a senco?", ["jane", "example"]),
        (
            "Email jane@example.com or call +44 7700 900123, NHS 943 476 5919",
            ["jane@", "900123", "5919"],
        ),
    ],
)
def test_names_and_numbers_are_redacted_everywhere_they_appear(
    text: str, secrets: list[str]
) -> None:
    for cleaned in (redact(text), without_personal_details(text)):
        for secret in secrets:
            assert secret not in cleaned, (secret, cleaned)


def test_understanding_keeps_the_question_and_other_dates() -> None:
    assert without_personal_details(DETAILED) == "How many Aiming High sessions can my child have?"
    # A date that is not a birth date feeds the deadline calculator.
    asked = "We asked for an assessment on 3 March 2026, when must they decide?"
    assert without_personal_details(asked) == asked
    assert redact("My son is autistic") == "My son is autistic"


@pytest.mark.slow
def test_details_do_not_change_the_answer_and_are_not_logged(
    tiny_pipeline: AnswerPipeline, tmp_path: Path
) -> None:
    detailed = tiny_pipeline.answer(DETAILED)
    plain = tiny_pipeline.answer(PLAIN)
    assert detailed.kind == plain.kind == "answered"
    assert "DOB" not in detailed.text and "Amy" not in detailed.text
    assert [c.doc_id for c in detailed.citations] == [c.doc_id for c in plain.citations]
    assert "2 sessions a month" in detailed.text
    records = ConversationRecords(tmp_path)
    records.record_answer(detailed, 0.1)
    records.store.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("records.sqlite3*"))
    assert b"Aiming High sessions" in stored
    for secret in ("Jane", "Amy", "Example", "03/04/2015", "07700"):
        assert secret.encode() not in stored
