"""A start with nothing changed opens the live index without reading the corpus again; any change
to the corpus or to what shapes the index makes it check (and pick the change up) as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_settings
from langchain_core.embeddings import Embeddings

import assistant.loading
from assistant.config import Settings
from assistant.corpus.fingerprint import FINGERPRINT_FILE, ingest_fingerprint
from assistant.corpus.index import LexicalIndex
from assistant.loading import open_index


class IngestCalls:
    """The real ingest, counting how often opening the index runs it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = assistant.loading.ingest_corpus

        def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(assistant.loading, "ingest_corpus", counted)


def _searchable(settings: Settings, embeddings: Embeddings, word: str) -> bool:
    store = open_index(settings, embeddings, lambda _m: None)
    return bool(LexicalIndex(store.all_chunks()).search(word, 3))


def test_an_unchanged_corpus_is_not_read_again(
    corpus_copy: Path, tmp_path: Path, embeddings: Embeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(corpus_copy, tmp_path)
    calls = IngestCalls(monkeypatch)
    first = open_index(settings, embeddings, lambda _m: None)
    assert calls.count == 1 and (settings.index_dir / FINGERPRINT_FILE).is_file()
    again = open_index(settings, embeddings, lambda _m: None)
    assert calls.count == 1  # nothing changed: the live generation opens as it is
    assert again.generation == first.generation and again.count() == first.count()


def test_an_edited_document_is_picked_up_at_the_next_start(
    corpus_copy: Path, tmp_path: Path, embeddings: Embeddings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(corpus_copy, tmp_path)
    calls = IngestCalls(monkeypatch)
    assert not _searchable(settings, embeddings, "zanzibarish")
    document = corpus_copy / "local-offer" / "sendiass-stoke.md"
    document.write_text(
        document.read_text(encoding="utf-8")
        + "\n\n## Is there a zanzibarish group?\n\nYes: the zanzibarish group meets on Fridays.\n",
        encoding="utf-8",
    )
    assert _searchable(settings, embeddings, "zanzibarish")
    assert calls.count == 2


def test_what_shapes_the_index_is_part_of_the_fingerprint(
    corpus_copy: Path, tmp_path: Path
) -> None:
    settings = make_settings(corpus_copy, tmp_path)
    same = ingest_fingerprint(make_settings(corpus_copy, tmp_path))
    assert ingest_fingerprint(settings) == same
    smaller = make_settings(corpus_copy, tmp_path, chunk_max_tokens=120)
    assert ingest_fingerprint(smaller) != same
    (corpus_copy / "family-hubs" / "family-hubs.meta.yaml").write_text("title: x\n")
    assert ingest_fingerprint(settings) != same
