"""Shared fixtures: the real embedding model, a tiny real corpus indexed in a temp Chroma store."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import assistant  # noqa: F401  (offline environment first)
from assistant.config import PROJECT_ROOT, Settings
from assistant.corpus.embeddings import load_embeddings
from assistant.corpus.index import ChunkStore
from assistant.corpus.ingest import ingest_corpus
from assistant.feedback.store import DATABASE_FILE, AnswerRecord, RecordStore, sqlite_url
from assistant.pipeline import AnswerPipeline

FIXTURES = Path(__file__).parent / "fixtures"
TINY_CORPUS = FIXTURES / "corpus"
SHIPPED_CORPUS = PROJECT_ROOT / "corpus"
TODAY = dt.date(2026, 11, 25)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Debian's Chromium otherwise tries to reach Google's hosts at every start.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stored_answers(log_dir: Path) -> list[AnswerRecord]:
    """Every answer the record store in `log_dir` holds, oldest first, with its feedback."""
    store = RecordStore(sqlite_url(log_dir))
    try:
        return store.answers_between(dt.datetime(2000, 1, 1))
    finally:
        store.close()


def stored_bytes(log_dir: Path) -> bytes:
    """Every byte of the record store's database, write-ahead log and shared-memory file."""
    return b"".join(p.read_bytes() for p in sorted(log_dir.glob(DATABASE_FILE + "*")))


def make_settings(corpus: Path, root: Path, **extra: object) -> Settings:
    """Settings that keep every file the test writes under its own temp folder."""
    return Settings(
        corpus_dir=corpus,
        index_dir=root / "index",
        log_dir=root / "logs",
        today=TODAY,
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def embeddings():  # type: ignore[no-untyped-def]
    """The real all-MiniLM-L6-v2, loaded once per test session."""
    return load_embeddings(Settings())


@pytest.fixture(scope="session")
def tiny_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings over the tiny fixture corpus."""
    return make_settings(TINY_CORPUS, tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="session")
def tiny_pipeline(tiny_settings: Settings, embeddings) -> AnswerPipeline:  # type: ignore[no-untyped-def]
    """The whole answer path over the tiny corpus, indexed into a real Chroma store."""
    store = ChunkStore(tiny_settings, embeddings)
    report = ingest_corpus(tiny_settings, store)
    assert report.ok and not report.skipped, report.summary()
    return AnswerPipeline(tiny_settings, embeddings, store)


@pytest.fixture(scope="session")
def shipped_pipeline(tmp_path_factory: pytest.TempPathFactory, embeddings) -> AnswerPipeline:  # type: ignore[no-untyped-def]
    """The answer path over the shipped corpus (slow: embeds every chunk once per session)."""
    settings = make_settings(SHIPPED_CORPUS, tmp_path_factory.mktemp("shipped"))
    store = ChunkStore(settings, embeddings)
    report = ingest_corpus(settings, store)
    assert report.ok and not report.skipped, report.summary()
    return AnswerPipeline(settings, embeddings, store)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Iterator[Path]:
    """A writable copy of the tiny corpus, for tests that edit documents."""
    import shutil

    target = tmp_path / "corpus"
    shutil.copytree(TINY_CORPUS, target)
    yield target


def wait_until_answering(
    process: subprocess.Popen[bytes], log: Path, port: int, seconds: float
) -> None:
    """Wait until app.py (output in `log`) says it is ready and its port takes connections;
    raises AssertionError, with its output, if it exits or is not ready in `seconds`."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"app.py exited early:\n{log.read_text()}")
        # The page is served at once; the pipeline (and a first index build) loads behind it.
        if "Ready to answer." in log.read_text():
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                pass
        time.sleep(1)
    raise AssertionError(f"app.py did not start:\n{log.read_text()}")


@pytest.fixture(scope="session")
def served_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, str]]:
    """The real app.py on the tiny corpus, started on an empty index (it builds it); yields
    its address, its folder (logs, the server's output in app.log) and what it printed."""
    root = tmp_path_factory.mktemp("e2e")
    port = free_port()
    log = root / "app.log"
    env = {
        **os.environ,
        "SEND_CORPUS_DIR": str(TINY_CORPUS),
        "SEND_INDEX_DIR": str(root / "index"),  # empty: the app must build it
        "SEND_LOG_DIR": str(root / "logs"),
        "SEND_PORT": str(port),
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_answering(process, log, port, seconds=240)
        yield f"http://127.0.0.1:{port}/", root, log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=30)
