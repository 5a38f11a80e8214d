"""The answer a parent receives: a named kind, cited sentences and the sources behind them."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """The named outcome recorded for every answer."""

    ANSWERED = "answered"
    NOT_FOUND = "not_found"
    OUT_OF_SCOPE = "out_of_scope"
    SAFEGUARDING = "safeguarding"


@dataclass(frozen=True)
class Citation:
    """A numbered source: the passage a statement came from and where to read it."""

    n: int
    title: str
    url: str
    section: str
    snippet: str
    doc_id: str
    collection: str
    passage: str
    last_checked: str
    chunk_id: str
    # The source page's own last-updated date (YYYY-MM-DD), "" when not known.
    source_updated: str = ""

    @property
    def updated_note(self) -> str:
        """'page last updated 10 March 2025', or '' when the source gives no date."""
        return (
            f"page last updated {readable_date(self.source_updated)}" if self.source_updated else ""
        )


@dataclass(frozen=True)
class Statement:
    """One sentence of an answer and the number of the citation that supports it."""

    text: str
    citation: int | None
    # What the cited passage must support, when the text adds something computed (a date).
    claim: str = ""
    # Set on the first statement of a labelled paragraph ("You asked: ...", "Next step").
    label: str = ""

    @property
    def checked_text(self) -> str:
        """The part of the statement its citation vouches for."""
        return self.claim or self.text


@dataclass
class Answer:
    """Everything the chat, the CLI and the evaluation need about one reply."""

    kind: Kind
    statements: list[Statement]
    citations: list[Citation] = field(default_factory=list)
    question: str = ""
    standalone_question: str = ""
    status: str = ""
    notes: list[str] = field(default_factory=list)
    extras: list[Statement] = field(default_factory=list)
    words_used: list[tuple[str, str]] = field(default_factory=list)
    debug: dict[str, Any] = field(default_factory=dict)
    # The safeguarding tier: "urgent", "possible_risk" or "none".
    safety: str = "none"
    # For a possible risk: who to call if anyone is in danger, shown before everything else.
    box: list[Statement] = field(default_factory=list)
    box_title: str = ""

    def paragraphs(self) -> list[tuple[str, list[Statement]]]:
        """(label, statements) per paragraph: a new one starts at each labelled statement."""
        grouped: list[tuple[str, list[Statement]]] = []
        for statement in self.statements:
            if statement.label or not grouped:
                grouped.append((statement.label, []))
            grouped[-1][1].append(statement)
        return grouped

    @property
    def body(self) -> str:
        """The answer's sentences with their [n] markers, a paragraph per labelled part."""
        if self.kind != Kind.ANSWERED:
            return "\n\n".join(with_marker(statement) for statement in self.statements)
        return "\n\n".join(
            (f"{label}\n" if label else "") + " ".join(with_marker(s) for s in statements)
            for label, statements in self.paragraphs()
        )

    @property
    def glossary_line(self) -> str:
        """'Words used: EHCP: education, health and care plan; ...' or ''."""
        if not self.words_used:
            return ""
        return "Words used: " + "; ".join(f"{term}: {meaning}" for term, meaning in self.words_used)

    @property
    def box_text(self) -> str:
        """The possible-risk box as plain text, framed so it stands apart ('' if none)."""
        if not self.box:
            return ""
        lines = [f"| {with_marker(statement)}" for statement in self.box]
        return "\n".join([f"| {self.box_title.upper()}" if self.box_title else "|", *lines])

    @property
    def reply(self) -> str:
        """What the assistant says, without the Sources list: the possible-risk box, notes,
        dates, answer, words used."""
        extras = "\n".join(with_marker(statement) for statement in self.extras)
        # Computed dates answer the parent's own situation, so they come first.
        pieces = [self.box_text, *self.notes, extras, self.body, self.glossary_line]
        return "\n\n".join(piece for piece in pieces if piece)

    @property
    def text(self) -> str:
        """Plain text: the reply, then a numbered Sources list."""
        if not self.citations:
            return self.reply
        sources = "Sources:\n" + "\n".join(source_line(c) for c in self.citations)
        return f"{self.reply}\n\n{sources}"

    def to_json(self) -> dict[str, Any]:
        """The `ask --json` contract: answer, kind and citations, plus diagnostics."""
        return {
            "question": self.question,
            "standalone_question": self.standalone_question,
            "answer": self.text,
            "kind": str(self.kind),
            "status": self.status,
            "safety": self.safety,
            "box": [asdict(s) for s in self.box],
            "citations": [
                {
                    "n": c.n,
                    "title": c.title,
                    "url": c.url,
                    "section": c.section,
                    "snippet": c.snippet,
                    "doc_id": c.doc_id,
                    "collection": c.collection,
                    "passage": c.passage,
                }
                for c in self.citations
            ],
            "statements": [asdict(s) for s in [*self.statements, *self.extras]],
            "notes": self.notes,
            "words_used": [{"term": t, "meaning": m} for t, m in self.words_used],
            "debug": self.debug,
        }


def with_marker(statement: Statement) -> str:
    """The statement with its ' [n]' citation marker, if it has one."""
    return statement.text + (f" [{statement.citation}]" if statement.citation else "")


def source_line(citation: Citation) -> str:
    """'[1] Title — section. URL (page last updated 10 March 2025)' for the Sources list."""
    section = f" — {citation.section}" if citation.section else ""
    updated = f" ({citation.updated_note})" if citation.updated_note else ""
    return f"[{citation.n}] {citation.title}{section}. {citation.url}{updated}"


def readable_date(iso: str) -> str:
    """'2025-03-10' → '10 March 2025' (GOV.UK style); anything unparseable is returned as is."""
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {day:%B %Y}"
