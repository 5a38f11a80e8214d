"""Check that every corpus section cites a page of the right publisher for the facts it holds.

`python -m evals.provenance [--corpus DIR]` prints each section that states a Stoke-on-Trent fact
(a Stoke service, SENMAS, a 01782 number) while citing a page that is not Stoke's own, and
exits 1 if there is any. A parent who asks "how long before SENMAS replies?" must be sent to the
Stoke page that says so, not to gov.uk. Fix a mix by moving the fact to a Local Offer document,
or by giving the section its own `Source: URL` line under its heading.

National facts restated on a Stoke page are not flagged: Stoke's pages do state them.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from assistant.config import get_settings
from assistant.corpus.loaders import corpus_files, load_document

# What makes a sentence a Stoke-on-Trent fact rather than a national one.
STOKE_FACT = re.compile(r"\bStoke(?:-on-Trent)?\b|\bSENMAS\b|\b01782\b")
# Pages published in and for Stoke-on-Trent: the council's sites, and local services' own sites
# (SENDIASS, the parent carer forum, Stoke Speaks Out, the local NHS trusts and care board).
LOCAL_HOSTS = re.compile(
    r"(?:^|\.)(?:[\w-]*stoke[\w-]*\.[\w.]+|mpft\.nhs\.uk|combined\.nhs\.uk)$", re.IGNORECASE
)


@dataclass(frozen=True)
class Mismatch:
    """A section stating a Stoke fact while citing a page that is not Stoke's."""

    path: Path
    section: str
    url: str
    example: str


def is_local(url: str) -> bool:
    """Whether a URL is on a Stoke-on-Trent publisher's site."""
    return bool(LOCAL_HOSTS.search(urlparse(url).hostname or ""))


def mismatches(corpus_dir: Path) -> list[Mismatch]:
    """Every section of every corpus file that holds a Stoke fact but cites a non-Stoke page."""
    found: list[Mismatch] = []
    for path in corpus_files(corpus_dir):
        document = load_document(path)
        for block in document.blocks:
            # "Also called: Stoke SEN team" names a term; it states no fact to cite.
            if block.is_questions or block.text.startswith(("Also called:", "Stands for:")):
                continue
            url = block.source_url or document.meta.source_url
            fact = STOKE_FACT.search(block.text)
            if fact and not is_local(url):
                start = max(0, fact.start() - 60)
                found.append(
                    Mismatch(
                        path=path,
                        section=" > ".join(block.heading_path) or "(introduction)",
                        url=url,
                        example=block.text[start : fact.end() + 60],
                    )
                )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.provenance", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=get_settings().corpus_dir)
    args = parser.parse_args(argv)
    found = mismatches(args.corpus)
    for m in found:
        print(f"{m.path.name} [{m.section}] cites {m.url} but states: …{m.example}…")
    print(f"{len(found)} section(s) state Stoke-on-Trent facts while citing another publisher.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
