"""PDF text extraction with pypdf, keeping page numbers and rejoining lines into paragraphs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from assistant.corpus.documents import Block, DocumentError

_SENTENCE_END = re.compile(r"[.!?:;)\"'”’]$")
# A numbered Code of Practice paragraph ("9.14 The local authority ...") starts a new block.
_NUMBERED_PARAGRAPH = re.compile(r"^\d{1,2}\.\d{1,3}\s+\S")


@dataclass
class PdfText:
    """Blocks per page plus metadata from the PDF's document information."""

    blocks: list[Block] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)


def _looks_like_heading(line: str, next_line: str | None) -> bool:
    words = line.split()
    return (
        0 < len(words) <= 10
        and not _SENTENCE_END.search(line)
        and line[:1].isupper()
        and not _NUMBERED_PARAGRAPH.match(line)
        and next_line is not None
    )


def _page_blocks(
    text: str, page_number: int, heading: tuple[str, ...]
) -> tuple[list[Block], tuple[str, ...]]:
    lines = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            joined = " ".join(paragraph)
            # Words hyphenated across a line break are joined back together.
            joined = re.sub(r"(\w)- (\w)", r"\1\2", joined)
            blocks.append(Block(heading_path=heading, text=joined, page=page_number))
            paragraph.clear()

    for index, line in enumerate(lines):
        next_line = next((n for n in lines[index + 1 :] if n), None)
        if not line:
            flush()
            continue
        if not paragraph and _looks_like_heading(line, next_line):
            flush()
            heading = (line,)
            continue
        if _NUMBERED_PARAGRAPH.match(line):
            flush()
        paragraph.append(line)
        if _SENTENCE_END.search(line) and next_line is not None and next_line[:1].isupper():
            # pypdf gives no paragraph marks; a line ending a sentence followed by a capital
            # is the best signal we have, and the chunker packs paragraphs back together anyway.
            flush()
    flush()
    return blocks, heading


def extract_pdf(path: Path) -> PdfText:
    """Read every page's text; raise DocumentError for broken or encrypted files."""
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise DocumentError("the PDF is password-protected")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError(f"the PDF cannot be read ({type(exc).__name__}: {exc})") from exc
    result = PdfText()
    if info is not None:
        if info.title:
            result.meta["title"] = str(info.title).strip()
        if info.author:
            result.meta["publisher"] = str(info.author).strip()
    heading: tuple[str, ...] = ()
    for number, text in enumerate(pages, start=1):
        blocks, heading = _page_blocks(text, number, heading)
        result.blocks.extend(blocks)
    return result
