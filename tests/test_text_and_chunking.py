"""Sentence splitting and chunking invariants: budgets kept, sentences never cut, ids stable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.config import Settings
from assistant.corpus.chunking import chunk_document
from assistant.corpus.documents import Block, DocumentMeta, SourceDocument
from assistant.corpus.embeddings import model_path, token_counter
from assistant.text import normalise_space, paragraph_refs, split_sentences

COUNT = token_counter(model_path(Settings()))
META = DocumentMeta(
    doc_id="doc",
    title="Annual reviews",
    source_url="https://example.gov.uk/page",
    publisher="Council",
    collection="local_offer",
    last_checked=dt.date(2026, 11, 25),
)


def test_sentences_survive_abbreviations_and_references() -> None:
    text = (
        "The council must decide within 6 weeks (CoP 9.14). Schools, e.g. academies, must "
        "co-operate under reg. 13(2). The plan costs £1.6m. Dr. Smith agreed!"
    )
    assert split_sentences(text) == [
        "The council must decide within 6 weeks (CoP 9.14).",
        "Schools, e.g. academies, must co-operate under reg. 13(2).",
        "The plan costs £1.6m.",
        "Dr. Smith agreed!",
    ]


def test_paragraph_references_are_found() -> None:
    text = (
        "See paragraph 9.14, CoP 9.92-9.121 and Code of Practice, paragraph 8.74, not 1.5 million."
    )
    assert paragraph_refs(text) == ["9.14", "9.92-9.121", "8.74"]


WORDS = st.sampled_from(
    (
        "the council must decide within six weeks whether to assess parents can ask for an "
        "education health and care plan school SENCO review annual tribunal mediation"
    ).split()
)
SENTENCE = st.lists(WORDS, min_size=3, max_size=40).map(lambda w: " ".join(w).capitalize() + ".")
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=12).map(" ".join)
HEADINGS = st.lists(st.sampled_from(["Timing", "Who can ask", "Appeals"]), max_size=2).map(tuple)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(HEADINGS, PARAGRAPH), min_size=1, max_size=8), st.integers(40, 200))
def test_chunks_respect_budget_and_never_cut_a_sentence(
    blocks: list[tuple[tuple[str, ...], str]], budget: int
) -> None:
    document = SourceDocument(
        meta=META, path=Path("doc.md"), blocks=[Block(h, t) for h, t in blocks]
    )
    chunks = chunk_document(document, COUNT, max_tokens=budget, min_tokens=20)
    chunk_sentences = [s for c in chunks for p in c.body.split("\n\n") for s in split_sentences(p)]
    source_sentences = [s for _, text in blocks for s in split_sentences(text)]
    # Every sentence appears whole, once, in order: nothing cut, lost or duplicated.
    assert chunk_sentences == source_sentences
    for chunk in chunks:
        sentences = split_sentences(chunk.body.replace("\n\n", " "))
        if len(sentences) > 1:  # a single over-long sentence is kept whole rather than cut
            assert COUNT(chunk.body) <= budget + 20
        assert chunk.indexed_text.startswith("Annual reviews")
        assert all(h in chunk.indexed_text.split("\n\n")[0] for h in chunk.heading_path)


def test_chunk_ids_derive_from_content() -> None:
    blocks = [
        Block(("Timing",), "Reviews happen every 12 months."),
        Block(("Appeals",), "Appeal in 2 months."),
    ]
    document = SourceDocument(meta=META, path=Path("doc.md"), blocks=blocks)
    first = chunk_document(document, COUNT, 200, 20)
    again = chunk_document(document, COUNT, 200, 20)
    assert [c.chunk_id for c in first] == [c.chunk_id for c in again]
    edited = SourceDocument(
        meta=META,
        path=Path("doc.md"),
        blocks=[blocks[0], Block(("Appeals",), "Appeal in 1 month.")],
    )
    changed = chunk_document(edited, COUNT, 200, 20)
    assert changed[0].chunk_id == first[0].chunk_id
    assert changed[1].chunk_id != first[1].chunk_id


def test_chunks_carry_paragraph_numbers_and_round_trip() -> None:
    from assistant.corpus.chunking import Chunk

    document = SourceDocument(
        meta=META,
        path=Path("doc.md"),
        blocks=[Block(("Time limits",), "The council must decide within 6 weeks (CoP 9.14).")],
    )
    (chunk,) = chunk_document(document, COUNT, 200, 20)
    assert chunk.paragraphs == ("9.14",)
    assert chunk.section == "paragraph 9.14; Time limits"
    assert Chunk.from_document(chunk.to_document()) == chunk
    assert normalise_space(chunk.body) == chunk.body
