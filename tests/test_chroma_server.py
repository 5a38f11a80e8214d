"""The same index code against a real Chroma server, selected by CHROMA_HOST / CHROMA_PORT."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TINY_CORPUS, free_port, make_settings

from assistant.corpus.index import ChunkStore
from assistant.corpus.ingest import ingest_corpus
from assistant.pipeline import AnswerPipeline

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent))
    assert chroma, "the chroma command ships with the chromadb package"
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    process = subprocess.Popen(
        [chroma, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(data)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(120):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.5)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_ingest_and_answer_through_a_chroma_server(
    chroma_server: int, tmp_path: Path, embeddings
) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(
        TINY_CORPUS, tmp_path, chroma_host="127.0.0.1", chroma_port=chroma_server
    )
    store = ChunkStore(settings, embeddings)
    report = ingest_corpus(settings, store)
    assert report.ok and store.count() == report.chunks_total
    assert not (tmp_path / "index").exists()  # nothing was written to the embedded store
    answer = AnswerPipeline(settings, embeddings, store).answer("What is the SENMAS phone number?")
    assert "01782 231863" in answer.reply
    again = ingest_corpus(settings, store)
    assert again.chunks_added == 0 and again.chunks_unchanged == report.chunks_total
