"""Updates that cannot break the live chat: each ingest builds a new index generation beside the
live one and switches only when it is complete; the chat follows without a restart."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from conftest import SHIPPED_CORPUS, make_settings
from langchain_core.embeddings import Embeddings

from assistant.config import PROJECT_ROOT, Settings
from assistant.corpus.index import ChunkStore, rows_for
from assistant.corpus.ingest import IngestReport, chunk_corpus, ingest_corpus, load_corpus
from assistant.corpus.updates import IngestRunner, settings_environment
from assistant.pipeline import AnswerPipeline

SESSIONS = "How many Aiming High sessions can my child have?"
SENMAS = "What is the SENMAS phone number?"
# Shipped documents added to the tiny corpus to give an ingest real work (81 passages).
EXTRA_DOCUMENTS = (
    "code-of-practice/ch09-ehc-plan-sections.md",
    "code-of-practice/ch11-tribunal-appeals.md",
    "code-of-practice/ch06-schools-sen-support.md",
    "code-of-practice/exclusions-and-send.md",
    "family-hubs/family-hubs-national-programme.md",
)


class CountingEmbeddings(Embeddings):
    """The real model, counting every text it is asked to embed."""

    def __init__(self, model: Embeddings) -> None:
        self.model = model
        self.texts = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.texts += len(texts)
        return self.model.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self.texts += 1
        return self.model.embed_query(text)


def _settings(corpus: Path, root: Path) -> Settings:
    # The chat checks for a new generation before every answer, so tests need no waiting.
    return make_settings(corpus, root, index_check_seconds=0.0)


def _indexed(
    corpus: Path, root: Path, embeddings: Embeddings
) -> tuple[Settings, AnswerPipeline]:
    """Settings for a test index, ingested once, and a chat pipeline answering from it."""
    settings = _settings(corpus, root)
    store = ChunkStore(settings, embeddings)
    ingest_corpus(settings, store)
    return settings, AnswerPipeline(settings, embeddings, store)


def _expected_chunks(settings: Settings) -> list:  # type: ignore[type-arg]
    return chunk_corpus(load_corpus(settings.corpus_dir, IngestReport(), settings), settings)


def _consistent(settings: Settings, embeddings: Embeddings) -> ChunkStore:
    """The live generation holds exactly the corpus's passages, questions and sentences."""
    store = ChunkStore(settings, embeddings)
    assert store.holds_exactly(rows_for(_expected_chunks(settings)))
    return store


def _add_extra_documents(corpus: Path, names: tuple[str, ...] = EXTRA_DOCUMENTS) -> None:
    for name in names:
        shutil.copy(SHIPPED_CORPUS / name, corpus / name.split("/")[0] / Path(name).name)


def test_unchanged_reingest_embeds_nothing_and_keeps_the_generation(
    corpus_copy: Path, tmp_path: Path, embeddings
) -> None:  # type: ignore[no-untyped-def]
    settings = _settings(corpus_copy, tmp_path)
    counting = CountingEmbeddings(embeddings)
    first = ingest_corpus(settings, ChunkStore(settings, counting))
    assert first.generation == 1 and counting.texts > first.chunks_total > 0

    counting.texts = 0
    again = ingest_corpus(settings, ChunkStore(settings, counting))
    assert counting.texts == 0
    assert again.generation == 1 and again.chunks_unchanged == first.chunks_total


def test_a_changed_document_replaces_its_passages_and_the_chat_follows(
    corpus_copy: Path, tmp_path: Path, embeddings
) -> None:  # type: ignore[no-untyped-def]
    settings, pipeline = _indexed(corpus_copy, tmp_path, embeddings)
    assert "2 sessions a month" in pipeline.answer(SESSIONS).body

    page = corpus_copy / "local-offer" / "short-breaks.md"
    page.write_text(page.read_text().replace("2 sessions a month", "3 sessions a month"))
    counting = CountingEmbeddings(embeddings)
    report = ingest_corpus(settings, ChunkStore(settings, counting))
    assert report.generation == 2 and report.chunks_added == report.chunks_removed >= 1
    # Only the changed passage and its own sentences and questions were embedded.
    assert 0 < counting.texts < 10

    # The running chat answers from the new generation without a restart or a refresh call.
    answer = pipeline.answer(SESSIONS)
    assert "3 sessions a month" in answer.body and "2 sessions a month" not in answer.body
    # No stale passage is retrievable by either index, or quoted from the sentence vectors.
    found = [s.chunk.body for s in pipeline.lexical.search("Aiming High sessions a month", 20)]
    vector = pipeline.vectors.query(SESSIONS)
    found += [s.chunk.body for s in pipeline.store.search(vector, 50)]
    assert any("3 sessions a month" in body for body in found)
    assert not any("2 sessions a month" in body for body in found)
    assert not any("2 sessions a month" in s for s in pipeline.store.sentence_vectors())
    _consistent(settings, embeddings)


def test_a_removed_document_disappears_from_answers(
    corpus_copy: Path, tmp_path: Path, embeddings
) -> None:  # type: ignore[no-untyped-def]
    settings, pipeline = _indexed(corpus_copy, tmp_path, embeddings)
    before = pipeline.answer(SENMAS)
    assert "01782 231863" in before.body
    assert "senmas-requests" in {c.doc_id for c in before.citations}

    (corpus_copy / "local-offer" / "senmas-requests.md").unlink()
    report = ingest_corpus(settings, ChunkStore(settings, embeddings))
    assert report.chunks_removed >= 1
    after = pipeline.answer(SENMAS)
    assert "01782 231863" not in after.text
    assert "senmas-requests" not in {c.doc_id for c in after.citations}
    assert "senmas-requests" not in pipeline.store.ids_by_doc()
    _consistent(settings, embeddings)


def test_an_ingest_killed_mid_embedding_leaves_the_old_index_answering_and_the_next_run_resumes(
    corpus_copy: Path, tmp_path: Path, embeddings
) -> None:  # type: ignore[no-untyped-def]
    settings = _settings(corpus_copy, tmp_path)
    store = ChunkStore(settings, embeddings)
    first = ingest_corpus(settings, store)
    pipeline = AnswerPipeline(settings, embeddings, store)
    _add_extra_documents(corpus_copy)

    ingest = subprocess.Popen(
        [sys.executable, "ingest.py"],
        cwd=PROJECT_ROOT,
        env=settings_environment(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert ingest.stdout is not None
    printed = []
    for line in ingest.stdout:  # killed once the first batch of new passages is written
        printed.append(line)
        if line.startswith("  embedded 64/"):
            os.kill(ingest.pid, signal.SIGKILL)
            break
    ingest.wait(timeout=60)
    assert ingest.returncode == -signal.SIGKILL, "".join(printed)

    # Generation 1 still serves, whole: the half-built generation 2 is invisible.
    assert store.generations.live() == 1
    answer = pipeline.answer(SENMAS)
    assert "01782 231863" in answer.body
    assert pipeline.store.count() == first.chunks_total
    assert (
        AnswerPipeline(settings, embeddings, ChunkStore(settings, embeddings)).index.generation == 1
    )
    assert not {c.doc_id for c in pipeline.lexical.chunks} & {"ch09-ehc-plan-sections"}

    # The next run completes generation 2, without embedding again what was already written.
    counting = CountingEmbeddings(embeddings)
    resumed = ingest_corpus(settings, ChunkStore(settings, counting))
    assert resumed.generation == 2
    # (at least the first batch of 64 passages was kept; the process may have written more)
    assert resumed.chunks_added > 64 and resumed.chunks_embedded <= resumed.chunks_added - 64
    _consistent(settings, embeddings)
    answer = pipeline.answer("What is in section F of an EHC plan?")
    assert "ch09-ehc-plan-sections" in {c.doc_id for c in answer.citations}


def test_two_ingests_at_once_leave_a_consistent_index(
    corpus_copy: Path, tmp_path: Path, embeddings
) -> None:  # type: ignore[no-untyped-def]
    settings = _settings(corpus_copy, tmp_path)
    ingest_corpus(settings, ChunkStore(settings, embeddings))
    _add_extra_documents(corpus_copy, EXTRA_DOCUMENTS[:1])
    page = corpus_copy / "local-offer" / "short-breaks.md"
    page.write_text(page.read_text().replace("2 sessions a month", "3 sessions a month"))

    command = [sys.executable, "ingest.py"]
    env = settings_environment(settings)
    runs = [
        subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]  # fmt: skip
    results = [(run.wait(timeout=600), *run.communicate()) for run in runs]
    assert any(code == 0 for code, _, _ in results), results
    for code, _, err in results:
        assert code == 0 or "Another ingest is already updating the index" in err, err

    store = _consistent(settings, embeddings)
    assert store.generations.held() == sorted({1, store.generation})
    pipeline = AnswerPipeline(settings, embeddings, store)
    assert "3 sessions a month" in pipeline.answer(SESSIONS).body


def test_the_chat_answers_throughout_a_background_ingest(
    corpus_copy: Path, tmp_path: Path, embeddings
) -> None:  # type: ignore[no-untyped-def]
    settings, pipeline = _indexed(corpus_copy, tmp_path, embeddings)
    _add_extra_documents(corpus_copy, EXTRA_DOCUMENTS[:1])

    runner = IngestRunner(settings, on_done=pipeline.refresh)
    assert runner.status().state == "idle"
    assert runner.start() is True
    assert runner.start() is False  # one at a time
    answered = 0
    while runner.status().state == "running":
        answer = pipeline.answer(SENMAS)
        assert "01782 231863" in answer.body, answer.text
        answered += 1
    status = runner.wait(timeout=600)
    assert answered >= 1
    assert status.state == "done", status.lines
    assert status.started is not None and status.finished is not None
    assert status.summary.startswith("Indexed ") and "generation 2" in status.summary
    assert any(line.startswith("  embedded ") for line in status.lines)
    answer = pipeline.answer("What is in section F of an EHC plan?")
    assert "ch09-ehc-plan-sections" in {c.doc_id for c in answer.citations}


def test_a_second_runner_is_refused_while_another_process_ingests(
    corpus_copy: Path, tmp_path: Path
) -> None:
    from filelock import FileLock

    from assistant.corpus.ingest import ingest_lock_path

    settings = _settings(corpus_copy, tmp_path)
    lock = ingest_lock_path(settings)
    lock.parent.mkdir(parents=True)
    with FileLock(lock):  # another process's ingest
        runner = IngestRunner(settings)
        assert runner.start() is False
        assert runner.status().state == "idle"


def test_an_older_unversioned_index_is_adopted_then_replaced(
    corpus_copy: Path, tmp_path: Path, embeddings
) -> None:  # type: ignore[no-untyped-def]
    settings = _settings(corpus_copy, tmp_path)
    legacy = ChunkStore(settings, embeddings, generation=0)
    legacy.fill(
        rows_for(_expected_chunks(settings)), None, lambda _m: None
    )  # as older ingests wrote it
    assert legacy.generations.pointer() is None and legacy.generations.live() == 0

    counting = CountingEmbeddings(embeddings)
    adopted = ingest_corpus(settings, ChunkStore(settings, counting))
    assert adopted.generation == 0 and counting.texts == 0
    assert (
        "2 sessions a month" in AnswerPipeline(settings, embeddings, legacy).answer(SESSIONS).body
    )

    page = corpus_copy / "local-offer" / "short-breaks.md"
    page.write_text(page.read_text().replace("2 sessions a month", "3 sessions a month"))
    assert ingest_corpus(settings, ChunkStore(settings, counting)).generation == 1
    assert 0 < counting.texts < 10  # everything else copied from generation 0
    page.write_text(page.read_text().replace("3 sessions a month", "4 sessions a month"))
    assert ingest_corpus(settings, ChunkStore(settings, counting)).generation == 2
    assert legacy.generations.held() == [1, 2]  # the adopted one is gone after two switches
    _consistent(settings, embeddings)


def test_an_answer_in_flight_reads_one_generation_throughout(
    corpus_copy: Path, tmp_path: Path, embeddings
) -> None:  # type: ignore[no-untyped-def]
    settings = _settings(corpus_copy, tmp_path)
    store = ChunkStore(settings, embeddings)
    ingest_corpus(settings, store)
    page = corpus_copy / "local-offer" / "short-breaks.md"
    page.write_text(page.read_text().replace("2 sessions a month", "3 sessions a month"))
    generations_read: list[int] = []

    class SwitchedMidAnswer(AnswerPipeline):
        """An ingest finishes (and the chat reloads) between understanding and retrieval."""

        def search(self, text, vector):  # type: ignore[no-untyped-def]
            if not generations_read:
                assert ingest_corpus(settings, ChunkStore(settings, embeddings)).generation == 2
                self.refresh()
            generations_read.append(self.index.generation)
            return super().search(text, vector)

    pipeline = SwitchedMidAnswer(settings, embeddings, store)
    first = pipeline.answer(SESSIONS)
    # The answer begun on generation 1 finished on it: vector and word search alike.
    assert set(generations_read) == {1}
    assert "2 sessions a month" in first.body and "3 sessions a month" not in first.body
    second = pipeline.answer(SESSIONS)
    assert generations_read[-1] == 2 and "3 sessions a month" in second.body
