"""A start with nothing changed opens the live index without reading the corpus again; any change
to the corpus or to what shapes the index makes it check (and pick the change up) as before."""

from __future__ import annotations

import gc
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import make_settings
from langchain_core.embeddings import Embeddings

import app
import assistant
import assistant.loading
from assistant.config import Settings, packaged_yaml
from assistant.corpus.fingerprint import FINGERPRINT_FILE, ingest_fingerprint
from assistant.corpus.index import LexicalIndex
from assistant.loading import open_index
from assistant.pipeline import AnswerPipeline


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


def test_a_live_generation_searches_as_chroma_answers_in_full(
    tiny_pipeline: AnswerPipeline, embeddings: Embeddings
) -> None:
    # A pinned (live) generation keeps its passages and asks Chroma for ids and distances only;
    # an unpinned one reads every hit's text and metadata back, as LangChain does.
    kept = tiny_pipeline.store
    assert kept._chunks is not None
    full = kept.at(kept.generation)
    assert full._chunks is None
    assert kept.all_chunks() == full.all_chunks()
    for question in ["How do I ask for an EHC needs assessment?", "short breaks", "SENDIASS"]:
        vector = np.asarray(embeddings.embed_query(question), dtype=np.float32)
        found = kept.search(vector, 8)
        assert [(s.chunk, s.score) for s in found] == [
            (s.chunk, s.score) for s in full.search(vector, 8)
        ]
        assert kept.search_questions(vector, 12) == full.search_questions(vector, 12)
        ids = [s.chunk.chunk_id for s in found] + ["not-a-chunk"]
        for _ in range(2):  # read from Chroma, then from what was kept
            mine, theirs = kept.vectors(ids), full.vectors(ids)
            assert mine.keys() == theirs.keys() == set(ids) - {"not-a-chunk"}
            assert all(np.array_equal(mine[i], theirs[i]) for i in mine)


def test_packaged_yaml_reads_as_pyyaml_safe_load() -> None:
    # The C loader where PyYAML has it: the same configuration, read faster.
    for path in sorted(Path(assistant.__file__).parent.glob("*.yaml")):
        assert packaged_yaml(path.name) == yaml.safe_load(path.read_text(encoding="utf-8"))


def test_the_garbage_collector_is_back_on_once_the_pipeline_has_loaded(
    tiny_pipeline: AnswerPipeline,
) -> None:
    # app.py pauses the collector for the start (imports create millions of objects and few
    # cycles); loading must switch it back on, with what was loaded frozen, even if it fails.
    frozen = gc.get_freeze_count()
    try:
        app.pause_garbage_collection()
        assert not gc.isenabled()
        pipeline = app.load_pipeline(tiny_pipeline.settings, lambda _m: None)
        assert gc.isenabled() and gc.get_freeze_count() > frozen
        assert pipeline.answer("What does SENDIASS do?").citations
        app.pause_garbage_collection()
        broken = tiny_pipeline.settings.model_copy(update={"corpus_dir": Path("/nonexistent")})
        with pytest.raises(RuntimeError):
            app.load_pipeline(broken.model_copy(update={"index_dir": broken.log_dir / "x"}), print)
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()
