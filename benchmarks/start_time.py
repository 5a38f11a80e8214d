"""Start-up: seconds from `python app.py` (index already built) to a served page and to the
first answer, over repeated starts (the first is the coldest: files not yet in the OS cache),
and the app's CPU seconds by the first answer (read from /proc: on a machine shared with other
work, wall time grows with the load while CPU time barely does).

    python benchmarks/start_time.py --runs 3

Prints a table and writes JSON (reports/start_time.json).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.interfaces.api_client import ask  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds a process has used so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_start() -> dict[str, float]:
    """Start app.py, wait for the page and a first answer, stop it; seconds since launch."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "SEND_PORT": str(port)}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client() as client:
            while True:
                if process.poll() is not None:
                    raise SystemExit("app.py exited during start-up")
                try:
                    if client.get(url, timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            page = time.perf_counter() - started
            ask(client, url, "What does SENDIASS do?")
            answer = time.perf_counter() - started
            cpu = cpu_seconds(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return {"page_s": round(page, 2), "first_answer_s": round(answer, 2), "cpu_s": round(cpu, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("reports/start_time.json"))
    args = parser.parse_args()
    runs = [one_start() for _ in range(args.runs)]
    print(f"{'run':>3} {'page (s)':>9} {'first answer (s)':>17} {'CPU by then (s)':>16}")
    for number, run in enumerate(runs, start=1):
        print(f"{number:>3} {run['page_s']:>9} {run['first_answer_s']:>17} {run['cpu_s']:>16}")
    warm = runs[1:] or runs
    summary = {
        "warm_page_s_median": statistics.median(r["page_s"] for r in warm),
        "warm_first_answer_s_median": statistics.median(r["first_answer_s"] for r in warm),
        "warm_cpu_s_median": statistics.median(r["cpu_s"] for r in warm),
    }
    print(
        f"warm median: page {summary['warm_page_s_median']} s, "
        f"first answer {summary['warm_first_answer_s_median']} s, "
        f"CPU {summary['warm_cpu_s_median']} s"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"runs": runs, **summary}, indent=2))


if __name__ == "__main__":
    main()
