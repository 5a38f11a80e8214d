"""Corpus coverage of the product side's checked facts (../shared/corpus-facts.md).

A fact counts as carried by a document when one of its passages (a) holds every number in the
fact, with its unit ("10 weeks" is not "6 weeks"; number words such as "six" count as digits),
and (b) says the same thing: cosine similarity of at least SIMILARITY_THRESHOLD with the real
embedding model, or at least WORD_RECALL_THRESHOLD of the fact's content words. Facts in the Gaps section
are left out. Run: python -m evals.coverage [--facts PATH] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import PROJECT_ROOT, Settings
from assistant.corpus.chunking import Chunk
from assistant.text import content_terms

DEFAULT_FACTS = PROJECT_ROOT.parent / "shared" / "corpus-facts.md"
DECOYS = Path(__file__).parent / "coverage_decoys.md"
SIMILARITY_THRESHOLD = 0.60
WORD_RECALL_THRESHOLD = 0.60

_FACT = re.compile(r"^- \[(NATIONAL|STOKE)\]\s+(.*)$")
_URL = re.compile(r"\s*(?:;\s*)?(?:https?://|www\.)\S+")
# A number, and the unit after it when there is one, so "10 weeks" never matches "6 weeks ... 10".
_NUMBER = re.compile(
    r"(\d+(?:[.,]\d+)*)(?:[\s-]+(?:calendar\s+|working\s+|school\s+)?"
    r"(day|week|month|year|session|hour|mile)s?\b)?"
)
_NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "fifteen": "15",
    "twenty": "20",
    "thirty": "30",
}
# Pointers inside the facts file itself, not facts ("described in section 1.5", "(see Gaps)").
_INTERNAL = re.compile(r"\b(?:described in |see )?section \d\.\d+\b|\(see Gaps\)", re.I)


@dataclass
class Fact:
    """One bullet of the facts file."""

    number: int
    tag: str
    section: str
    text: str
    covered_by: list[str] = field(default_factory=list)
    best: tuple[str, float, float] = ("", 0.0, 0.0)

    @property
    def claim(self) -> str:
        """The fact without its source URLs and internal pointers."""
        return _INTERNAL.sub("", _URL.sub("", self.text)).strip()


def parse_facts(text: str) -> list[Fact]:
    """Every tagged bullet before the Gaps section, with the heading it sits under."""
    facts: list[Fact] = []
    section = ""
    for line in text.splitlines():
        if line.startswith("## Gaps"):
            break
        if line.startswith("###"):
            section = line.lstrip("# ").strip()
        match = _FACT.match(line.strip())
        if match:
            facts.append(Fact(len(facts) + 1, match.group(1), section, match.group(2)))
    return facts


def numbers(text: str) -> set[str]:
    """Numbers in a text with their units ('6 week', '15 day', '2014'): number words as digits,
    thousands commas removed."""
    lowered = re.sub(
        r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", lambda m: _NUMBER_WORDS[m.group(1)], text.lower()
    )
    return {
        f"{value.replace(',', '').rstrip('.')} {unit}".strip()
        for value, unit in _NUMBER.findall(lowered)
    }


_CONTACT = re.compile(
    r"\b0\d{3,4}\s?\d{3}\s?\d{3,4}\b|\b0\d{3}\s\d{4}\b|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"
    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b"
)


def contact_details(text: str) -> set[str]:
    """Phone numbers, email addresses and postcodes in a text, spaces normalised."""
    return {re.sub(r"\s+", " ", found).lower() for found in _CONTACT.findall(text)}


def unchecked_contacts(corpus_dir: Path, facts_text: str) -> dict[str, list[str]]:
    """Contact details in corpus documents that the checked facts file does not hold."""
    from assistant.corpus.loaders import corpus_files, load_document

    known = contact_details(facts_text)
    unchecked: dict[str, list[str]] = {}
    for path in corpus_files(corpus_dir):
        found = sorted(contact_details(load_document(path).text) - known)
        if found:
            unchecked[path.stem] = found
    return unchecked


def holds(needed: set[str], held: set[str]) -> bool:
    """Whether a passage holds every number a fact needs; a fact's bare number matches the same
    number with any unit in the passage ("24" is in "24 sessions")."""
    bare = {token.split()[0] for token in held}
    return all(token in held if " " in token else token in bare for token in needed)


def word_recall(claim: str, passage: str) -> float:
    """Share of the fact's content words found in the passage."""
    terms = set(content_terms(claim))
    return len(terms & set(content_terms(passage))) / len(terms) if terms else 0.0


def map_facts(
    facts: list[Fact], chunks: list[Chunk], chunk_vectors: np.ndarray, fact_vectors: np.ndarray
) -> None:
    """Fill in which documents carry each fact."""
    chunk_numbers = [numbers(chunk.indexed_text) for chunk in chunks]
    similarities = fact_vectors @ chunk_vectors.T
    for fact, row in zip(facts, similarities, strict=True):
        needed = numbers(fact.claim)
        best_by_doc: dict[str, tuple[float, float]] = {}
        carried: dict[str, float] = {}
        for chunk, held, similarity in zip(chunks, chunk_numbers, row, strict=True):
            recall = word_recall(fact.claim, chunk.indexed_text)
            old = best_by_doc.get(chunk.doc_id, (0.0, 0.0))
            best_by_doc[chunk.doc_id] = (max(old[0], float(similarity)), max(old[1], recall))
            if holds(needed, held) and (
                similarity >= SIMILARITY_THRESHOLD or recall >= WORD_RECALL_THRESHOLD
            ):
                carried[chunk.doc_id] = max(carried.get(chunk.doc_id, 0.0), float(similarity))
        ranked = sorted(best_by_doc.items(), key=lambda item: item[1][0], reverse=True)
        fact.best = (ranked[0][0], *ranked[0][1]) if ranked else ("", 0.0, 0.0)
        fact.covered_by = sorted(carried, key=lambda doc: carried[doc], reverse=True)


def load_corpus_vectors(settings: Settings) -> tuple[list[Chunk], np.ndarray, object]:
    """All chunks of the (synced) index with their stored vectors, and the embeddings."""
    from assistant.corpus.embeddings import load_embeddings
    from assistant.corpus.index import ChunkStore
    from assistant.corpus.ingest import ingest_corpus

    embeddings = load_embeddings(settings)
    store = ChunkStore(settings, embeddings)
    ingest_corpus(settings, store)
    chunks = store.all_chunks()
    stored = store.vectors([c.chunk_id for c in chunks])
    return chunks, np.vstack([stored[c.chunk_id] for c in chunks]), embeddings


def coverage_report(facts_path: Path, settings: Settings) -> dict[str, Any]:
    """Map every fact to the documents carrying it; include a negative control."""
    from assistant.corpus.embeddings import SentenceVectors

    facts = parse_facts(facts_path.read_text(encoding="utf-8"))
    chunks, chunk_vectors, embeddings = load_corpus_vectors(settings)
    fact_vectors = SentenceVectors(embeddings).many([f.claim for f in facts])  # type: ignore[arg-type]
    map_facts(facts, chunks, chunk_vectors, fact_vectors)
    covered = [f for f in facts if f.covered_by]
    # Negative control: decoy statements the corpus does not carry. If the matcher called many
    # of them carried, its thresholds would be too loose to mean anything.
    decoys = parse_facts(DECOYS.read_text(encoding="utf-8"))
    decoy_vectors = SentenceVectors(embeddings).many([d.claim for d in decoys])  # type: ignore[arg-type]
    map_facts(decoys, chunks, chunk_vectors, decoy_vectors)
    return {
        "unchecked_contacts": unchecked_contacts(
            settings.corpus_dir, facts_path.read_text(encoding="utf-8")
        ),
        "facts": len(facts),
        "covered": len(covered),
        "share": len(covered) / len(facts) if facts else 0.0,
        "thresholds": {"similarity": SIMILARITY_THRESHOLD, "word_recall": WORD_RECALL_THRESHOLD},
        "negative_control": {
            "what": f"decoy statements the corpus does not carry ({DECOYS.name})",
            "facts": len(decoys),
            "covered": sum(bool(d.covered_by) for d in decoys),
            "wrongly_covered": [d.claim for d in decoys if d.covered_by],
        },
        "not_covered": [
            {
                "n": f.number,
                "section": f.section,
                "fact": f.claim,
                "closest": f.best[0],
                "similarity": round(f.best[1], 3),
                "word_recall": round(f.best[2], 3),
                "missing_numbers": sorted(
                    numbers(f.claim)
                    - numbers(" ".join(c.indexed_text for c in chunks if c.doc_id == f.best[0]))
                ),
            }
            for f in facts
            if not f.covered_by
        ],
        "mapping": [
            {"n": f.number, "fact": f.claim[:120], "documents": f.covered_by} for f in facts
        ],
    }


def main(argv: list[str] | None = None) -> int:
    """Print the share of facts carried and the facts that are not."""
    parser = argparse.ArgumentParser(prog="python -m evals.coverage", description=__doc__)
    parser.add_argument("--facts", type=Path, default=DEFAULT_FACTS)
    parser.add_argument("--json", type=Path, help="also write the full mapping as JSON here")
    parser.add_argument("--show-mapping", action="store_true", help="print every fact's documents")
    args = parser.parse_args(argv)
    if not args.facts.exists():
        print(f"error: facts file {args.facts} not found (use --facts PATH)", file=sys.stderr)
        return 2
    report = coverage_report(args.facts, Settings())
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    if args.show_mapping:
        for row in report["mapping"]:
            print(f"{row['n']:3} {', '.join(row['documents']) or '-':60} {row['fact']}")
    control = report["negative_control"]
    print(
        f"Facts carried by the corpus: {report['covered']} of {report['facts']} "
        f"({report['share']:.1%}); Gaps section excluded."
    )
    print(
        f"Negative control ({control['what']}): {control['covered']} of {control['facts']} carried."
    )
    unchecked = report["unchecked_contacts"]
    print(
        "Contact details in the corpus that the facts file does not hold: "
        + (
            "none"
            if not unchecked
            else "; ".join(f"{d}: {', '.join(c)}" for d, c in unchecked.items())
        )
    )
    for missing in report["not_covered"]:
        print(
            f"NOT COVERED #{missing['n']} [{missing['section']}] {missing['fact'][:150]}"
            f" (closest: {missing['closest']}, similarity {missing['similarity']}, "
            f"words {missing['word_recall']}, numbers missing {missing['missing_numbers']})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
