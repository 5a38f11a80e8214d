"""Structure-following chunking: headings first, then paragraphs, then sentences, within a budget.

LangChain's splitters cut inside sentences when a paragraph is over budget and do not carry PDF
page numbers, so this small packer is our own; its output is LangChain `Document`s.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from langchain_core.documents import Document

from assistant.corpus.documents import Block, SourceDocument
from assistant.text import paragraph_refs, split_sentences, words

TokenCounter = Callable[[str], int]
HEADING_SEPARATOR = " › "


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage with everything needed to cite it."""

    chunk_id: str
    doc_id: str
    body: str
    heading_path: tuple[str, ...]
    title: str
    source_url: str
    publisher: str
    collection: str
    last_checked: str
    paragraphs: tuple[str, ...] = ()
    page: int | None = None
    position: int = 0
    # Questions the section answers, in parents' words ("Parents ask:" lines); searched as extra
    # vectors that point at this passage (the multi-vector pattern), never shown.
    questions: tuple[str, ...] = ()
    # The source page's own "last updated" date (YYYY-MM-DD), when it states one.
    source_updated: str = ""
    # The document's `asked_about` words: when a page covers one circumstance (early years,
    # medical conditions, home education), a message naming none of them is not about it.
    asked_about: tuple[str, ...] = ()

    @property
    def search_questions(self) -> tuple[str, ...]:
        """The section heading (when it is a question) and the parents' questions."""
        heading = self.heading_path[-1] if self.heading_path else ""
        return ((heading,) if heading.endswith("?") else ()) + self.questions

    @property
    def sentences(self) -> list[str]:
        """The passage's quotable sentences, paragraph by paragraph (what answers quote from):
        fragments such as a contents entry or a flowchart box stay searchable but are never
        quoted as a whole answer."""
        return [
            without_yes_no(sentence)
            for paragraph in self.body.split("\n\n")
            for sentence in split_sentences(paragraph)
            if is_quotable(sentence)
        ]

    @property
    def section(self) -> str:
        """The most specific place to point a reader to: CoP paragraph, heading or page."""
        parts = []
        if self.paragraphs:
            label = (
                "paragraphs"
                if len(self.paragraphs) > 1 or "-" in self.paragraphs[0]
                else ("paragraph")
            )
            parts.append(f"{label} {', '.join(self.paragraphs)}")
        if self.heading_path:
            parts.append(self.heading_path[-1])
        if self.page is not None:
            parts.append(f"page {self.page}")
        return "; ".join(parts)

    @property
    def context(self) -> str:
        """Title and heading path: travels with the text into the embedding and BM25."""
        return HEADING_SEPARATOR.join((self.title, *self.heading_path))

    @property
    def indexed_text(self) -> str:
        """What is embedded and searched: the heading context, then the passage."""
        return f"{self.context}\n\n{self.body}"

    def metadata(self) -> dict[str, str | int]:
        """Flat metadata for the vector store (Chroma accepts scalars only)."""
        return {
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "title": self.title,
            "source_url": self.source_url,
            "publisher": self.publisher,
            "collection": self.collection,
            "last_checked": self.last_checked,
            "heading_path": json.dumps(list(self.heading_path)),
            "paragraphs": ",".join(self.paragraphs),
            "page": -1 if self.page is None else self.page,
            "position": self.position,
            "body": self.body,
            "questions": json.dumps(list(self.questions)),
            "source_updated": self.source_updated,
            "asked_about": json.dumps(list(self.asked_about)),
        }

    def to_document(self) -> Document:
        """A LangChain Document whose page_content is the indexed text."""
        return Document(page_content=self.indexed_text, metadata=self.metadata(), id=self.chunk_id)

    @classmethod
    def from_document(cls, document: Document) -> Chunk:
        """Rebuild a Chunk from what the vector store returns."""
        meta = document.metadata
        page = int(meta.get("page", -1))
        paragraphs = str(meta.get("paragraphs") or "")
        return cls(
            chunk_id=str(meta["chunk_id"]),
            doc_id=str(meta["doc_id"]),
            body=str(meta["body"]),
            heading_path=tuple(json.loads(str(meta.get("heading_path") or "[]"))),
            title=str(meta["title"]),
            source_url=str(meta["source_url"]),
            publisher=str(meta.get("publisher") or ""),
            collection=str(meta["collection"]),
            last_checked=str(meta.get("last_checked") or ""),
            paragraphs=tuple(p for p in paragraphs.split(",") if p),
            page=None if page < 0 else page,
            position=int(meta.get("position", 0)),
            questions=tuple(json.loads(str(meta.get("questions") or "[]"))),
            source_updated=str(meta.get("source_updated") or ""),
            asked_about=tuple(json.loads(str(meta.get("asked_about") or "[]"))),
        )


# "Stands for: special educational needs": a glossary or table label line is a statement.
_LABEL_LINE = re.compile(r"^[A-Z][A-Za-z ]{2,20}:\s+\S")
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)]*$")
# Without a full stop, this many words still read as a statement rather than a label.
_UNPUNCTUATED_STATEMENT_WORDS = 8


# "Yes:" or "No:" opening a sentence answers the question heading its section, which an answer
# never shows: quoted for another question it reads as the answer to that one ("My son's plan
# will stop automatically when he turns 19, right?" -> "Yes: an EHC plan can continue up to age
# 25"; "can camhs stuff go in her ehcp?" -> "No: EHC plans do not cover higher education").
# Similarity of the parent's question to the heading did not tell these from right uses (0.29 to
# 0.73 for wrong ones, 0.39 to 0.88 for right ones, on the development halves and send_eval).
# "Not necessarily:" and "Not automatically:" are borrowed the same way.
_YES_NO = re.compile(r"^(?:Yes|No|Not (?:necessarily|automatically|always))[:,]\s+(?=\S)")


def without_yes_no(sentence: str) -> str:
    """The sentence without an opening "Yes:" or "No:", its first letter then a capital
    ("No: the 12 months run ..." -> "The 12 months run ...")."""
    rest = _YES_NO.sub("", sentence, count=1)
    return rest if rest == sentence else rest[:1].upper() + rest[1:]


def is_quotable(sentence: str) -> bool:
    """True for text that reads as a statement: at least three words and either a sentence
    ending, a 'Label: value' shape or a long run of words. A one-word contents entry
    ("Statementing") or a flowchart box ("Assessment refused (6 weeks)") is not.

    Without a part-of-speech tagger offline, punctuation and length stand in for "has a verb";
    on the shipped corpus this rejects no sentence."""
    count = len(words(sentence))
    if count < 3:
        return False
    return (
        bool(_SENTENCE_END.search(sentence))
        or bool(_LABEL_LINE.match(sentence))
        or count >= _UNPUNCTUATED_STATEMENT_WORDS
    )


def chunk_id_for(
    doc_id: str,
    heading_path: tuple[str, ...],
    body: str,
    meta_key: str,
    position: int,
    questions: tuple[str, ...] = (),
    section_source: str = "",
) -> str:
    """Content-derived id: unchanged text and metadata give the same id on every ingest."""
    parts: list[object] = [doc_id, list(heading_path), body, meta_key, position]
    if questions:  # ids of passages without questions stay as they were
        parts.append(list(questions))
    if section_source:
        parts.append(section_source)
    digest = hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()
    return digest[:24]


def _pieces(blocks: Iterable[Block], budget: int, count: TokenCounter) -> list[str]:
    """Paragraphs that fit, else their sentences: never a fragment of a sentence."""
    pieces: list[str] = []
    for block in blocks:
        if count(block.text) <= budget:
            pieces.append(block.text)
        else:
            pieces.extend(split_sentences(block.text))
    return pieces


def _pack(pieces: list[str], budget: int, count: TokenCounter) -> list[list[str]]:
    groups: list[list[str]] = []
    current: list[str] = []
    used = 0
    for piece in pieces:
        size = count(piece)
        if current and used + size > budget:
            groups.append(current)
            current, used = [], 0
        current.append(piece)
        used += size
    if current:
        groups.append(current)
    return groups


def chunk_document(
    document: SourceDocument, count: TokenCounter, max_tokens: int, min_tokens: int
) -> list[Chunk]:
    """Split a document into heading-scoped chunks of at most max_tokens (context included)."""
    meta = document.meta
    updated = meta.source_updated.isoformat() if meta.source_updated else ""
    key_parts = [
        meta.title,
        meta.source_url,
        meta.publisher,
        meta.collection,
        str(meta.last_checked),
    ]
    if updated:  # ids of documents without the date stay as they were
        key_parts.append(updated)
    if meta.asked_about:  # ...and so do those without `asked_about` words
        key_parts.append(json.dumps(list(meta.asked_about)))
    meta_key = json.dumps(key_parts)
    chunks: list[Chunk] = []
    groups = itertools.groupby(document.blocks, key=lambda b: (b.heading_path, b.page))
    for (heading_path, page), section in groups:
        section_blocks = list(section)
        questions = tuple(q for block in section_blocks for q in block.questions)
        text_blocks = [block for block in section_blocks if not block.is_questions]
        if not text_blocks:
            continue
        section_source = next((b.source_url for b in text_blocks if b.source_url), "")
        context_cost = count(HEADING_SEPARATOR.join((meta.title, *heading_path)))
        budget = max(max_tokens - context_cost, min_tokens)
        packed = _pack(_pieces(text_blocks, budget, count), budget, count)
        # A short tail reads better joined to the passage before it, when it still fits.
        if len(packed) > 1 and count(" ".join(packed[-1])) < min_tokens:
            merged = packed[-2] + packed[-1]
            if count(" ".join(merged)) <= budget + min_tokens:
                packed[-2:] = [merged]
        for pieces in packed:
            body = "\n\n".join(pieces)
            chunks.append(
                Chunk(
                    chunk_id=chunk_id_for(
                        meta.doc_id,
                        heading_path,
                        body,
                        meta_key,
                        len(chunks),
                        questions,
                        section_source,
                    ),
                    doc_id=meta.doc_id,
                    body=body,
                    heading_path=heading_path,
                    title=meta.title,
                    source_url=section_source or meta.source_url,
                    publisher=meta.publisher,
                    collection=meta.collection,
                    last_checked=meta.last_checked.isoformat(),
                    paragraphs=tuple(paragraph_refs(body)),
                    page=page,
                    position=len(chunks),
                    questions=questions,
                    source_updated=updated,
                    asked_about=meta.asked_about,
                )
            )
    return chunks
