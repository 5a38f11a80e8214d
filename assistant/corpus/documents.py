"""What a corpus document is once loaded: its citation metadata and its text blocks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

COLLECTIONS = ("local_offer", "code_of_practice", "family_hubs")
COLLECTION_LABELS = {
    "local_offer": "Stoke-on-Trent SEND Local Offer",
    "code_of_practice": "SEND Code of Practice 0 to 25",
    "family_hubs": "Family hubs",
}
# Folder names in corpus/ map to collections, so a document's place says where it belongs.
FOLDER_COLLECTIONS = {
    "local-offer": "local_offer",
    "code-of-practice": "code_of_practice",
    "family-hubs": "family_hubs",
}
REQUIRED_FIELDS = ("title", "source_url", "publisher", "collection", "last_checked")


class DocumentError(ValueError):
    """A corpus file that cannot be used, with a reason a council officer can act on."""


@dataclass(frozen=True)
class DocumentMeta:
    """Citation metadata carried by every chunk of a document."""

    doc_id: str
    title: str
    source_url: str
    publisher: str
    collection: str
    last_checked: dt.date
    summary: str = ""
    see_also: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    # Words a message uses when it is about the one circumstance this page covers ("nursery",
    # "insulin"); empty for a page that applies to everyone. See `Chunk.asked_about`.
    asked_about: tuple[str, ...] = ()
    # The page's own "last updated" date, when it states one (web page text or metadata).
    source_updated: dt.date | None = None


@dataclass(frozen=True)
class DroppedText:
    """Text left out of the index because a reader would not see it, and why."""

    text: str
    reason: str


@dataclass(frozen=True)
class Block:
    """A paragraph-sized piece of text with the headings above it (and its PDF page, if any)."""

    heading_path: tuple[str, ...]
    text: str
    page: int | None = None
    # True for a "Parents ask:" line: questions the section answers, indexed as extra search
    # vectors that point at the section, never shown or quoted as passage text.
    is_questions: bool = False
    # The page holding this section's facts, from a "Source:" line ("" = the document's own).
    source_url: str = ""

    @property
    def questions(self) -> tuple[str, ...]:
        """The questions of a "Parents ask:" block, split on ';' (empty for text blocks)."""
        if not self.is_questions:
            return ()
        return tuple(q.strip() for q in self.text.split(";") if q.strip())


@dataclass
class ExtractedText:
    """What a web page or PDF yields before its metadata is checked: text blocks, the
    citation metadata the file declares itself, and the hidden text left out."""

    blocks: list[Block] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    dropped: list[DroppedText] = field(default_factory=list)


@dataclass
class SourceDocument:
    """A parsed corpus file."""

    meta: DocumentMeta
    path: Path
    blocks: list[Block] = field(default_factory=list)
    # Text in the file that a reader would not see (hidden HTML, invisible PDF text), with why.
    dropped: list[DroppedText] = field(default_factory=list)

    @property
    def text(self) -> str:
        """All block text, for checks and coverage reports."""
        return "\n\n".join(block.text for block in self.blocks if not block.is_questions)


def is_valid_url(value: str) -> bool:
    """True for an absolute http(s) URL with a host."""
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc) and " " not in value


def collection_for(path: Path) -> str | None:
    """The collection implied by the folder a file sits in, if any."""
    for parent in path.parents:
        if parent.name in FOLDER_COLLECTIONS:
            return FOLDER_COLLECTIONS[parent.name]
    return None


def build_meta(raw: dict[str, Any], path: Path) -> DocumentMeta:
    """Validate front matter (or sidecar metadata) and turn it into DocumentMeta."""
    data = dict(raw)
    data.setdefault("collection", collection_for(path))
    missing = [key for key in REQUIRED_FIELDS if not data.get(key)]
    if missing:
        raise DocumentError(f"missing front matter field(s): {', '.join(missing)}")
    collection = str(data["collection"]).strip()
    if collection not in COLLECTIONS:
        raise DocumentError(f"collection {collection!r} is not one of {', '.join(COLLECTIONS)}")
    source_url = str(data["source_url"]).strip()
    if not is_valid_url(source_url):
        raise DocumentError(f"source_url {source_url!r} is not an absolute http(s) URL")
    last_checked = _date(data["last_checked"], "last_checked")
    updated = data.get("source_updated")
    source_updated = _date(updated, "source_updated") if updated else None
    return DocumentMeta(
        doc_id=str(data.get("doc_id") or path.name.split(".")[0]),
        title=str(data["title"]).strip(),
        source_url=source_url,
        publisher=str(data["publisher"]).strip(),
        collection=collection,
        last_checked=last_checked,
        summary=str(data.get("summary") or "").strip(),
        see_also=tuple(str(item) for item in data.get("see_also") or ()),
        sources=tuple(str(item) for item in data.get("sources") or ()),
        source_updated=source_updated,
        asked_about=_words_list(data.get("asked_about"), "asked_about"),
    )


def _words_list(value: Any, key: str) -> tuple[str, ...]:
    """A YAML list of non-empty words or phrases, lower-cased; DocumentError if not."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise DocumentError(f"{key} must be a list of words or phrases, such as [nursery, toddler]")
    return tuple(v.strip().lower() for v in value)


def _date(value: Any, key: str) -> dt.date:
    """A YYYY-MM-DD value (YAML may already have parsed it) as a date; DocumentError if not."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise DocumentError(f"{key} {value!r} is not a YYYY-MM-DD date") from exc
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise DocumentError(f"{key} {value!r} is not a YYYY-MM-DD date")
    return value
