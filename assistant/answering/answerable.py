"""Does the corpus hold what the question names? Catches questions the guidance cannot answer.

Retrieval always returns something, so a question about a benefit, badge or paragraph the corpus
never mentions can look answerable. Two exact checks catch the clearest cases: a Code of
Practice paragraph the corpus does not hold, and a named scheme or acronym it never mentions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.answering.message import is_ordinary_word
from assistant.answering.understand import known_places
from assistant.corpus.chunking import Chunk
from assistant.corpus.glossary import Glossary

_ASKED_PARAGRAPH = re.compile(
    r"\b(?:paragraph|para|cop|code of practice,?)\s*(?:paragraph\s*)?(\d{1,2})\.(\d{1,3})\b", re.I
)
_ACRONYM = re.compile(r"\b([A-Z][A-Z&]{1,5})s?\b")
# Two to four capitalised words not at the start of a sentence: the name of a scheme or service.
_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b((?:[A-Z][a-z'’]+\s){1,3}[A-Z][a-z'’]+)\b")
_COMMON_CAPS = {"I", "OK", "UK", "TV", "AM", "PM", "A", "IT"}


def _expand(ref: str) -> set[tuple[int, int]]:
    """'9.92-9.121' -> {(9, 92), ..., (9, 121)}."""
    first, _, last = ref.partition("-")
    chapter, start = (int(x) for x in first.split("."))
    end = int(last.split(".")[1]) if last else start
    return {(chapter, number) for number in range(start, end + 1)}


class CorpusVocabulary:
    """What the indexed corpus mentions: its text, names and Code of Practice paragraphs."""

    def __init__(self, chunks: Iterable[Chunk], glossary: Glossary) -> None:
        chunks = list(chunks)
        self._text = " ".join(
            f"{c.title} {' '.join(c.heading_path)} {c.body}" for c in chunks
        ).lower()
        self._paragraphs = {p for c in chunks for ref in c.paragraphs for p in _expand(ref)}
        # Place names are not schemes: "we live in Cheshire East" is still answerable.
        self._known = {n.lower() for t in glossary.terms for n in t.names} | known_places()

    def missing_paragraphs(self, question: str) -> list[str]:
        """Code of Practice paragraphs the question asks about that the corpus does not hold."""
        return [
            f"{m.group(1)}.{m.group(2)}"
            for m in _ASKED_PARAGRAPH.finditer(question)
            if (int(m.group(1)), int(m.group(2))) not in self._paragraphs
        ]

    def unknown_names(self, question: str) -> list[str]:
        """Acronyms and capitalised names in the question that nothing in the corpus mentions."""
        # A word in capitals for emphasis ("sending HIM home") is not a scheme's name.
        names = [
            m.group(1)
            for m in _ACRONYM.finditer(question)
            if m.group(1) not in _COMMON_CAPS and not is_ordinary_word(m.group(1))
        ]
        names += [m.group(1) for m in _NAME.finditer(question)]
        return [
            name
            for name in dict.fromkeys(names)
            if name.lower() not in self._known
            and not re.search(rf"(?<![\w-]){re.escape(name.lower())}(?![\w-])", self._text)
        ]
