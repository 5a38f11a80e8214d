"""Safeguarding check: runs first on every message and spots a child or adult at risk.

Two signals, because each misses what the other catches: written patterns for explicit
statements, and semantic similarity to worked examples for the way people really put things.
A false negative is far worse than a false positive, so either signal alone is enough, but
everyday frustration ("this process is killing me") is written into the counter-examples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import yaml

from assistant.embeddings import SentenceVectors
from assistant.text import split_sentences

# Cosine similarity to the nearest risk example that flags a message on its own...
SEMANTIC_FLAG = 0.72
# ...or a lower similarity, when it is also clearly nearer the risk examples than the ordinary ones.
SEMANTIC_FLOOR = 0.50
SEMANTIC_MARGIN = 0.15


@dataclass(frozen=True)
class SafeguardingResult:
    """Whether to show urgent help, and why (for the debug output and evaluation)."""

    flagged: bool
    reason: str
    risk_similarity: float = 0.0
    ordinary_similarity: float = 0.0


@lru_cache(maxsize=1)
def _config() -> dict[str, list[str]]:
    text = resources.files("assistant").joinpath("safeguarding.yaml").read_text(encoding="utf-8")
    data: dict[str, list[str]] = yaml.safe_load(text)
    return data


@lru_cache(maxsize=1)
def _patterns() -> tuple[list[re.Pattern[str]], list[re.Pattern[str]]]:
    config = _config()
    risk = [re.compile(p, re.IGNORECASE) for p in config["risk_patterns"]]
    idioms = [re.compile(p, re.IGNORECASE) for p in config["idiom_patterns"]]
    return risk, idioms


def pattern_match(text: str) -> str | None:
    """The risk pattern a message matches, once figures of speech are set aside."""
    risk, idioms = _patterns()
    cleaned = text
    for idiom in idioms:
        cleaned = idiom.sub(" ", cleaned)
    for pattern in risk:
        found = pattern.search(cleaned)
        if found:
            return found.group(0)
    return None


def clauses(text: str) -> list[str]:
    """Sentences, and the comma- or 'and'-separated clauses of long ones (4+ words each)."""
    parts: list[str] = []
    for sentence in split_sentences(text):
        parts.append(sentence)
        if len(sentence.split()) > 12:
            parts.extend(re.split(r"\s*(?:[,;:]|\band\b|\bbut\b|\bso\b)\s+", sentence))
    unique = dict.fromkeys(p.strip() for p in parts if len(p.split()) >= 4)
    return list(unique)[:12]


class SafeguardingCheck:
    """Flags messages that suggest someone is at risk."""

    def __init__(self, vectors: SentenceVectors) -> None:
        config = _config()
        self._vectors = vectors
        self._risk = vectors.many(config["risk_examples"])
        self._ordinary = vectors.many(config["ordinary_examples"])

    def check(self, text: str, query_vector: np.ndarray | None = None) -> SafeguardingResult:
        """Pattern first, then semantic similarity to the written examples, clause by clause.

        A disclosure is often one clause in a long message about something else, so each
        clause is compared on its own as well as the whole message.
        """
        whole = self._vectors.query(text) if query_vector is None else query_vector
        parts = clauses(text)
        vectors = np.vstack([whole, self._vectors.many(parts)]) if parts else whole[None, :]
        risk_by_part = (vectors @ self._risk.T).max(axis=1)
        ordinary_by_part = (vectors @ self._ordinary.T).max(axis=1)
        worst = int(np.argmax(risk_by_part - ordinary_by_part))
        risk = float(risk_by_part.max())
        ordinary = float(ordinary_by_part[int(np.argmax(risk_by_part))])
        matched = pattern_match(text)
        if matched:
            return SafeguardingResult(True, f"pattern: {matched}", risk, ordinary)
        if risk >= SEMANTIC_FLAG:
            return SafeguardingResult(True, "close to a risk example", risk, ordinary)
        if (
            risk_by_part[worst] >= SEMANTIC_FLOOR
            and risk_by_part[worst] - ordinary_by_part[worst] >= SEMANTIC_MARGIN
        ):
            return SafeguardingResult(True, "nearer risk than ordinary examples", risk, ordinary)
        return SafeguardingResult(False, "", risk, ordinary)
