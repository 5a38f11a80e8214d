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

# Cosine similarity to the nearest risk example that flags a message on its own...
SEMANTIC_FLAG = 0.72
# ...or a lower similarity, when it is also clearly nearer the risk examples than the ordinary ones.
SEMANTIC_FLOOR = 0.55
SEMANTIC_MARGIN = 0.08


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


class SafeguardingCheck:
    """Flags messages that suggest someone is at risk."""

    def __init__(self, vectors: SentenceVectors) -> None:
        config = _config()
        self._vectors = vectors
        self._risk = vectors.many(config["risk_examples"])
        self._ordinary = vectors.many(config["ordinary_examples"])

    def check(self, text: str, query_vector: np.ndarray | None = None) -> SafeguardingResult:
        """Pattern first, then semantic similarity to the written examples."""
        vector = self._vectors.query(text) if query_vector is None else query_vector
        risk = float(np.max(self._risk @ vector))
        ordinary = float(np.max(self._ordinary @ vector))
        matched = pattern_match(text)
        if matched:
            return SafeguardingResult(True, f"pattern: {matched}", risk, ordinary)
        if risk >= SEMANTIC_FLAG:
            return SafeguardingResult(True, "close to a risk example", risk, ordinary)
        if risk >= SEMANTIC_FLOOR and risk - ordinary >= SEMANTIC_MARGIN:
            return SafeguardingResult(True, "nearer risk than ordinary examples", risk, ordinary)
        return SafeguardingResult(False, "", risk, ordinary)
