"""Merge blind item files and split them into a development half and a frozen test half.

`python -m evals.split A.jsonl B.jsonl ... --dev DEV.jsonl --test TEST.jsonl`

The split is by a hash of each conversation's root id (a follow-up goes with the standalone item it
paraphrases), so it is repeatable and nobody chooses which items land in the test half. Only counts
are printed: the test half is never shown while tuning.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from evals.dataset import load_items


def half_of(root_id: str) -> str:
    """'dev' or 'test', from the first byte of the id's SHA-256."""
    return "dev" if hashlib.sha256(root_id.encode("utf-8")).digest()[0] % 2 == 0 else "test"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.split", description=__doc__)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--dev", type=Path, required=True)
    parser.add_argument("--test", type=Path, required=True)
    args = parser.parse_args(argv)
    halves: dict[str, list[str]] = {"dev": [], "test": []}
    for path in args.files:
        load_items(path)  # refuse a bad file before writing anything
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            root = record.get("paraphrase_of") or record["id"]
            halves[half_of(root)].append(json.dumps(record, ensure_ascii=False))
    for name, target in (("dev", args.dev), ("test", args.test)):
        target.write_text("\n".join(halves[name]) + "\n", encoding="utf-8")
        print(f"{name}: {len(halves[name])} items -> {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
