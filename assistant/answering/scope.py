"""Scope check: is this a question about SEND and family support that we should answer?"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.config import packaged_yaml
from assistant.corpus.embeddings import SentenceVectors
from assistant.corpus.glossary import Glossary

# Without any SEND word, a question is declined when it is this much nearer the off-topic examples.
SEMANTIC_MARGIN = 0.05


@dataclass(frozen=True)
class ScopeResult:
    """In scope, or declined with the category that picks the redirect message."""

    in_scope: bool
    category: str = ""
    reason: str = ""
    mentions_send: bool = False


@lru_cache(maxsize=1)
def _config() -> dict[str, object]:
    data: dict[str, object] = packaged_yaml("scope.yaml")
    return data


@lru_cache(maxsize=1)
def _send_patterns() -> list[re.Pattern[str]]:
    patterns = _config()["send_patterns"]
    assert isinstance(patterns, list)
    return [re.compile(p, re.IGNORECASE) for p in patterns]


@lru_cache(maxsize=1)
def _decline_patterns() -> dict[str, list[re.Pattern[str]]]:
    groups = _config()["decline_patterns"]
    assert isinstance(groups, dict)
    return {name: [re.compile(p, re.IGNORECASE) for p in items] for name, items in groups.items()}


def mentions_send(text: str) -> bool:
    """Whether the text uses any SEND or family-support word."""
    return any(pattern.search(text) for pattern in _send_patterns())


def declined_category(text: str) -> str | None:
    """The category (a key of `decline_patterns` in scope.yaml: medical, benefits, general,
    legal, housing) of a question the guidance here is not meant to answer, or None."""
    for category, patterns in _decline_patterns().items():
        if any(pattern.search(text) for pattern in patterns):
            return category
    return None


class ScopeCheck:
    """Decides whether a question is one the guidance held here is meant to answer."""

    def __init__(self, vectors: SentenceVectors, glossary: Glossary) -> None:
        config = _config()
        self._vectors = vectors
        self._glossary = glossary
        self._inside = vectors.many(list(config["in_scope_examples"]))  # type: ignore[call-overload]
        self._outside = vectors.many(list(config["out_of_scope_examples"]))  # type: ignore[call-overload]

    def check(self, text: str, query_vector: np.ndarray) -> ScopeResult:
        """Decline clinical and unrelated legal questions, and anything plainly off-topic."""
        send = mentions_send(text) or bool(self._glossary.find(text))
        category = declined_category(text)
        if category:
            return ScopeResult(False, category, f"asks for {category} judgement", send)
        if send:
            return ScopeResult(True, mentions_send=True)
        inside = float(np.max(self._inside @ query_vector))
        outside = float(np.max(self._outside @ query_vector))
        if outside - inside >= SEMANTIC_MARGIN:
            return ScopeResult(False, "general", f"off-topic ({outside:.2f} vs {inside:.2f})")
        return ScopeResult(True, reason=f"near in-scope examples ({inside:.2f} vs {outside:.2f})")
