"""The glossary: SEND terms and acronyms, parsed from the corpus glossary document.

The same file is indexed like any other document (so "what is a SENCO" retrieves it) and parsed
here to expand queries (EHCP <-> education, health and care plan) and to explain words in answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from assistant.corpus.loaders import split_front_matter

GLOSSARY_RELATIVE_PATH = Path("code-of-practice") / "glossary.md"


@dataclass(frozen=True)
class Term:
    """A glossary entry."""

    term: str
    stands_for: str
    aliases: tuple[str, ...]
    definition: str

    @property
    def names(self) -> tuple[str, ...]:
        """Every way a parent might write this term."""
        names = [self.term, *self.aliases]
        if self.stands_for:
            names.append(self.stands_for)
        return tuple(dict.fromkeys(name for name in names if name))

    @property
    def is_acronym(self) -> bool:
        """True for short all-capital terms such as EHCP or SENCO."""
        return _acronym_like(self.term)

    def shorthand(self, name: str) -> bool:
        """Whether one of this term's names is a way of writing the acronym ("EHCP", "EHC plan",
        "SALT"), not an everyday phrase also searched for it ("SEN team" for SENMAS: another
        council's SEN team is not Stoke's SENMAS; "transition" for PfA)."""
        return name == self.term or _acronym_like(name) or _initials(name) == _initials(self.term)


def _acronym_like(name: str) -> bool:
    """Mostly capital letters: "EHCP", "SENCo", "DSAs"."""
    letters = re.sub(r"[^A-Za-z]", "", name)
    return bool(letters) and sum(ch.isupper() for ch in letters) >= max(2, len(letters) - 1)


def _initials(name: str) -> str:
    """A name's acronym: capitalised words whole, other words by their first letter ("EHC plan"
    -> "EHCP")."""
    return "".join(
        word.upper() if any(ch.isupper() for ch in word) else word[0].upper()
        for word in re.findall(r"[A-Za-z]+", name)
    )


def _first_word(name: str) -> str | None:
    """What any match of `_name_pattern(name)` contains, case folded: the name up to its first
    space (the pattern matches the rest with any spacing). None (always try the pattern) for a
    name that is not plain ASCII, where case folding and the pattern's case rules may differ."""
    if not name.isascii():
        return None
    return name.split(" ", 1)[0].casefold()


def _fold(text: str) -> str:
    """Case folded, with the two letters a case-insensitive pattern's "i" also matches (dotless
    ı, and İ, which case folding turns into i and a combining dot) as plain i."""
    return text.casefold().replace("i\u0307", "i").replace("ı", "i")


def _name_pattern(name: str) -> re.Pattern[str]:
    escaped = re.escape(name).replace(r"\ ", r"[\s,-]+")
    # Acronyms match case-sensitively (so "SEN" is not "sen" inside a word), words do not.
    letters = re.sub(r"[^A-Za-z]", "", name)
    if letters and letters.isupper() and len(letters) <= 6:
        return re.compile(rf"(?<![\w-]){escaped}s?(?![\w-])")
    return re.compile(rf"(?<![\w-]){escaped}(?![\w-])", re.IGNORECASE)


class Glossary:
    """Look-ups over the glossary entries."""

    def __init__(self, terms: list[Term]) -> None:
        self.terms = terms
        self._patterns = [
            (term, name, _name_pattern(name))
            for term in terms
            for name in sorted(term.names, key=len, reverse=True)
        ]
        # Longest names first, each with a word it cannot match without (its first word, case
        # folded): most of the few hundred names are ruled out by a substring test, so a
        # question does not run every pattern (this took about 5 ms an answer).
        self._by_length = [
            (term, _first_word(name), pattern)
            for term, name, pattern in sorted(self._patterns, key=lambda p: -len(p[1]))
        ]

    @classmethod
    def from_corpus(cls, corpus_dir: Path) -> Glossary:
        """Parse corpus/code-of-practice/glossary.md; an empty glossary if it is missing."""
        path = corpus_dir / GLOSSARY_RELATIVE_PATH
        if not path.exists():
            return cls([])
        _, body = split_front_matter(path.read_text(encoding="utf-8"))
        return cls(parse_glossary(body))

    def find(self, text: str) -> list[Term]:
        """Terms mentioned in a text, in order of first mention, longest names first."""
        found: dict[str, tuple[int, Term]] = {}
        taken: list[tuple[int, int]] = []
        folded = _fold(text)
        for term, needed, pattern in self._by_length:
            if needed is not None and needed not in folded:
                continue
            for match in pattern.finditer(text):
                span = match.span()
                if any(span[0] < end and start < span[1] for start, end in taken):
                    continue
                taken.append(span)
                if term.term not in found or span[0] < found[term.term][0]:
                    found[term.term] = (span[0], term)
        return [term for _, term in sorted(found.values(), key=lambda item: item[0])]

    def expand(self, text: str) -> str:
        """The text plus the main name and spelled-out form of every term it mentions."""
        extra: list[str] = []
        for term in self.find(text):
            for name in (term.term, term.stands_for):
                if not name:
                    continue
                if not re.search(re.escape(name), text, re.IGNORECASE) and name not in extra:
                    extra.append(name)
        return text if not extra else f"{text} ({'; '.join(extra)})"

    def words_used(self, text: str, limit: int = 4) -> list[tuple[str, str]]:
        """(acronym as written, what it stands for) for acronyms an answer does not spell out."""
        # "education, health and care (EHC) plan" spells out EHC plan: drop the bracket to see it.
        spelled = re.sub(r"\s*\([A-Z][A-Za-z0-9 ]{1,12}\)", "", text)
        used: list[tuple[str, str]] = []
        for term in self.find(text):
            if not term.is_acronym or not term.stands_for:
                continue
            if re.search(re.escape(term.stands_for).replace(r"\ ", r"[\s,]+"), spelled, re.I):
                continue
            written = next(
                (
                    m.group(0)
                    for n in term.names
                    if term.shorthand(n) and (m := _name_pattern(n).search(text))
                ),
                None,
            )
            if written is not None:
                used.append((written, term.stands_for))
        return used[:limit]


def parse_glossary(body: str) -> list[Term]:
    """Entries written as '## TERM', 'Stands for:', 'Also called:' and a definition."""
    terms: list[Term] = []
    for section in re.split(r"^##\s+", body, flags=re.MULTILINE)[1:]:
        lines = [line.strip() for line in section.strip().splitlines()]
        heading, rest = lines[0], lines[1:]
        stands_for, definition = "", []
        aliases: tuple[str, ...] = ()
        for line in rest:
            if line.lower().startswith("stands for:"):
                stands_for = line.split(":", 1)[1].strip()
            elif line.lower().startswith("also called:"):
                aliases = tuple(a.strip() for a in line.split(":", 1)[1].split(";") if a.strip())
            elif line.lower().startswith(("parents ask:", "source:")):
                continue  # search questions and the section's source: not its definition
            elif line:
                definition.append(line)
        terms.append(Term(heading.strip(), stands_for, tuple(aliases), " ".join(definition)))
    return terms
