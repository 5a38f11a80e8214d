"""Checks on the shipped corpus: every document parses and carries complete citation metadata."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from conftest import SHIPPED_CORPUS

from assistant.answering.respond import replies
from assistant.corpus.documents import COLLECTIONS, FOLDER_COLLECTIONS, is_valid_url
from assistant.corpus.glossary import Glossary
from assistant.corpus.loaders import corpus_files, load_document

FILES = corpus_files(SHIPPED_CORPUS)
DOCUMENTS = [load_document(path) for path in FILES]


def test_every_file_parses_with_complete_front_matter() -> None:
    assert len(DOCUMENTS) == len(FILES) >= 30
    for document in DOCUMENTS:
        meta = document.meta
        assert meta.title and meta.publisher and meta.summary, document.path
        assert is_valid_url(meta.source_url), document.path
        assert meta.last_checked.year >= 2025, document.path
        assert all(is_valid_url(url) for url in meta.sources), document.path
        assert meta.collection == FOLDER_COLLECTIONS[document.path.parent.name], document.path


def test_no_duplicate_titles_or_ids_and_every_collection_is_populated() -> None:
    ids = Counter(d.meta.doc_id for d in DOCUMENTS)
    titles = Counter(d.meta.title for d in DOCUMENTS)
    assert [i for i, n in ids.items() if n > 1] == []
    assert [t for t, n in titles.items() if n > 1] == []
    assert set(d.meta.collection for d in DOCUMENTS) == set(COLLECTIONS)


def test_see_also_points_at_real_documents() -> None:
    ids = {d.meta.doc_id for d in DOCUMENTS}
    for document in DOCUMENTS:
        assert set(document.meta.see_also) <= ids, (
            document.path,
            set(document.meta.see_also) - ids,
        )


def test_code_of_practice_paragraph_numbers_are_kept_and_extractable() -> None:
    from assistant.text import paragraph_refs

    found = {ref for d in DOCUMENTS for ref in paragraph_refs(d.text)}
    quoted_by_parents = {
        "9.8",
        "9.11",
        "9.14",
        "9.40",
        "9.42",
        "9.69",
        "9.78",
        "9.79",
        "9.95",
        "9.200",
        "9.205",
        "6.59",
        "8.74",
        "2.1",
        "2.8",
        "5.48",
        "11.39-11.55",
    }
    assert quoted_by_parents <= found, quoted_by_parents - found


def test_glossary_parses_and_covers_the_common_acronyms() -> None:
    glossary = Glossary.from_corpus(SHIPPED_CORPUS)
    terms = {t.term for t in glossary.terms}
    assert len(terms) >= 50
    assert {"EHCP", "SENCO", "SENDIASS", "SENMAS", "CAMHS", "PfA", "IPSEA"} <= terms
    assert all(t.definition for t in glossary.terms)
    # "Parents ask:" lines are search questions, never part of a definition.
    assert not any("Parents ask" in t.definition for t in glossary.terms)


@pytest.mark.parametrize(
    "status", ["urgent", "possible_risk", "not_found", "out_of_scope", "not_english"]
)
def test_canned_replies_only_state_contacts_their_cited_document_holds(status: str) -> None:
    config = replies()[status]
    text = re.sub(
        r"\s+", " ", " ".join(d.text for d in DOCUMENTS if d.meta.doc_id in config["cite"])
    )
    for line in [*config["cited"], *config.get("closing", [])]:
        for number in re.findall(r"\b\d[\d ]{2,}\d\b", line):
            assert number in text, (status, number)
        for site in re.findall(r"\b[\w-]+(?:\.[\w-]+)+\.(?:uk|org|com)\b", line):
            assert site in text, (status, site)


def test_every_sentence_an_answer_can_quote_reads_alone() -> None:
    """A list item written as a fragment ("sitting the exam away from the school ...") was
    quoted on its own as an answer's sentence; corpus lists must be whole sentences."""
    from assistant.answering.compose import passage_sentences
    from assistant.config import Settings
    from assistant.corpus.chunking import chunk_document
    from assistant.corpus.embeddings import model_path, token_counter

    settings = Settings()
    count = token_counter(model_path(settings))
    fragments = [
        (document.path.name, sentence[:60])
        for document in DOCUMENTS
        for chunk in chunk_document(document, count, settings.chunk_max_tokens, 20)
        for sentence in passage_sentences(chunk)
        if sentence[:1].islower()
    ]
    assert not fragments
