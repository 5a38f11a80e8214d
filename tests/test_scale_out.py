"""Scale out: two app processes behind one reverse proxy against one real Chroma server; an
ingest from the command line reaches both without a restart."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import free_port, wait_until_answering
from test_chroma_server import chroma_server  # noqa: F401  (the real `chroma run` fixture)

from assistant.config import PROJECT_ROOT
from assistant.interfaces.api_client import ask

pytestmark = pytest.mark.slow

SESSIONS = "How many Aiming High sessions can my child have?"


class ConnectionProxy:
    """A layer-4 reverse proxy: each client connection goes to the next app process in turn,
    and every request on it stays there (Gradio keeps a request's events in the process that
    took it, so a client must not hop mid-request; nginx's stream module or HAProxy's tcp mode
    do the same). Written here because no proxy binary is installed on the test machines."""

    def __init__(self, backends: list[int]) -> None:
        self.backends = backends
        self.routed: list[int] = []  # the backend port of each connection, in order
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            backend = self.backends[len(self.routed) % len(self.backends)]
            self.routed.append(backend)
            upstream = socket.create_connection(("127.0.0.1", backend))
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, target), daemon=True).start()

    def close(self) -> None:
        self.listener.close()


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)  # pass the end on, as a half-close


def _environment(root: Path, corpus: Path, server: int, name: str) -> dict[str, str]:
    return {
        **os.environ,
        "CHROMA_HOST": "127.0.0.1",
        "CHROMA_PORT": str(server),
        "SEND_CORPUS_DIR": str(corpus),
        "SEND_INDEX_DIR": str(root / "unused-index"),  # nothing is written there with a server
        # Each process logs apart; the ingest lock sits beside the log folders, shared.
        "SEND_LOG_DIR": str(root / f"logs-{name}"),
        "SEND_INDEX_CHECK_SECONDS": "1",
    }


def _ingest(root: Path, corpus: Path, server: int) -> str:
    result = subprocess.run(
        [sys.executable, "ingest.py"],
        cwd=PROJECT_ROOT,
        env=_environment(root, corpus, server, "cli"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def two_apps(
    chroma_server: int,  # noqa: F811
    corpus_copy: Path,
    tmp_path: Path,
) -> Iterator[tuple[ConnectionProxy, list[int], Path]]:
    """Two `python app.py --port ...` processes on one Chroma server, behind one proxy."""
    assert "generation 1" in _ingest(tmp_path, corpus_copy, chroma_server)  # the deploy step
    ports = [free_port(), free_port()]
    processes, logs = [], []
    for name, port in zip("ab", ports, strict=True):
        log = tmp_path / f"app-{name}.log"
        logs.append(log)
        with log.open("w") as out:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "app.py", "--port", str(port)],
                    cwd=PROJECT_ROOT,
                    env=_environment(tmp_path, corpus_copy, chroma_server, name),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
    proxy = ConnectionProxy(ports)
    try:
        for process, log, port in zip(processes, logs, ports, strict=True):
            wait_until_answering(process, log, port, seconds=300)
        yield proxy, ports, corpus_copy
    finally:
        proxy.close()
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def _ask_each(proxy: ConnectionProxy, question: str) -> dict[int, str]:
    """Ask once per app process through the proxy (a new connection each, so the proxy sends
    them to each process in turn); returns each process's answer by its port."""
    answers: dict[int, str] = {}
    for _ in proxy.backends:
        with httpx.Client(base_url=f"http://127.0.0.1:{proxy.port}") as client:
            reply = ask(client, f"http://127.0.0.1:{proxy.port}/", question)
        assert reply.error is None, reply.error
        answers[proxy.routed[-1]] = reply.last_text()
    return answers


def test_an_ingest_reaches_both_app_processes_without_a_restart(
    two_apps: tuple[ConnectionProxy, list[int], Path],
    tmp_path: Path,
    chroma_server: int,  # noqa: F811
) -> None:
    proxy, ports, corpus = two_apps
    before = _ask_each(proxy, SESSIONS)
    assert sorted(before) == sorted(ports)  # both processes answered
    assert all("2 sessions a month" in answer for answer in before.values()), before

    page = corpus / "local-offer" / "short-breaks.md"
    page.write_text(page.read_text().replace("2 sessions a month", "3 sessions a month"))
    assert "generation 2" in _ingest(tmp_path, corpus, chroma_server)

    after = _ask_each(proxy, SESSIONS)
    assert sorted(after) == sorted(ports)
    for answer in after.values():
        assert "3 sessions a month" in answer and "2 sessions a month" not in answer, after
