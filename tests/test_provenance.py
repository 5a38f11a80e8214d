"""Every passage cites the page that holds its facts, and parents see how fresh that page is."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answering.answer import source_line
from assistant.answering.respond import citation_for
from assistant.config import Settings, get_settings
from assistant.corpus.chunking import chunk_document
from assistant.corpus.documents import DocumentError
from assistant.corpus.embeddings import model_path, token_counter
from assistant.corpus.loaders import load_document
from evals.provenance import mismatches

COUNT = token_counter(model_path(Settings()))
NATIONAL = """---
title: "Requesting an assessment"
source_url: "https://www.gov.uk/government/publications/send-code-of-practice-0-to-25"
publisher: "Department for Education"
last_checked: 2026-11-30
source_updated: 2020-04-30
summary: "How to ask."
---
# Requesting an assessment

## Who can ask?
Parents can ask the council for an EHC needs assessment (CoP 9.8).

## Who do I write to in Stoke?
{source}SENMAS at Stoke-on-Trent City Council handles requests.
"""


def write(folder: Path, text: str) -> Path:
    path = folder / "code-of-practice" / "requesting.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_corpus_cites_stoke_pages_for_stoke_facts() -> None:
    assert mismatches(get_settings().corpus_dir) == []


def test_a_stoke_fact_under_a_national_source_is_reported(tmp_path: Path) -> None:
    write(tmp_path, NATIONAL.format(source=""))
    found = mismatches(tmp_path)
    assert [(m.section, m.url) for m in found] == [
        (
            "Who do I write to in Stoke?",
            "https://www.gov.uk/government/publications/send-code-of-practice-0-to-25",
        )
    ]


def test_a_source_line_gives_a_section_its_own_citation(tmp_path: Path) -> None:
    stoke = "https://localoffer.stoke.gov.uk/send-ehc-needs-assessment-1/i-apply-ehcp"
    path = write(tmp_path, NATIONAL.format(source=f"Source: {stoke}\n"))
    assert mismatches(tmp_path) == []
    chunks = chunk_document(load_document(path), COUNT, 200, 20)
    by_section = {c.heading_path[-1]: c for c in chunks}
    assert by_section["Who do I write to in Stoke?"].source_url == stoke
    assert "Source:" not in by_section["Who do I write to in Stoke?"].body
    assert by_section["Who can ask?"].source_url.startswith("https://www.gov.uk/")


def test_a_source_line_that_is_not_a_web_address_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, NATIONAL.format(source="Source: the council website\n"))
    with pytest.raises(DocumentError, match="Source:"):
        load_document(path)


def test_citations_show_when_the_source_page_was_last_updated(tmp_path: Path) -> None:
    path = write(tmp_path, NATIONAL.format(source=""))
    chunk = chunk_document(load_document(path), COUNT, 200, 20)[0]
    line = source_line(citation_for(1, chunk, []))
    assert line.endswith("(page last updated 30 April 2020)")
