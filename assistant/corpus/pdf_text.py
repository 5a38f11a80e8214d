"""PDF text extraction in reading order, without text a reader cannot see, keeping page numbers.

pypdf opens the file (and tries the empty user password, so a PDF "secured" only against
editing still reads); pdfminer.six lays each page out into text boxes in reading order, so a
two-column leaflet comes out column by column rather than spliced row by row (measured in
benchmarks/pdf_reading_order.py: pdfminer keeps every sentence of both columns whole; pypdf's
plain and layout modes splice the columns). Text drawn invisibly (render mode 3 or 7) or in
white is dropped and reported.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTContainer, LTItem, LTPage, LTTextBox
from pdfminer.pdfinterp import PDFGraphicState, PDFPageInterpreter, PDFResourceManager, PDFTextState
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import PDFException
from pdfminer.utils import mult_matrix
from pypdf import PasswordType, PdfReader
from pypdf.errors import PdfReadError

from assistant.corpus.documents import Block, DocumentError, DroppedText, ExtractedText
from assistant.corpus.updated import updated_date_in_text

_SENTENCE_END = re.compile(r"[.!?:;)\"'”’]$")
# A numbered Code of Practice paragraph ("9.14 The local authority ...") starts a new block.
_NUMBERED_PARAGRAPH = re.compile(r"^\d{1,2}\.\d{1,3}\s+\S")
# Text render modes that paint nothing (3: invisible; 7: add to clipping path only).
_INVISIBLE_MODES = (3, 7)
_STROKE_ONLY_MODES = (1, 5)
# A colour this close to white on the (white) page cannot be read.
_WHITE_LEVEL = 0.95
# Text smaller than this (in points, as drawn on the page) cannot be read.
TINY_TEXT_PT = 1.0


def _is_white(colour: Any) -> bool:
    """True for a gray, RGB or CMYK colour (pdfminer's representation) at or near white."""
    if isinstance(colour, (int, float)):
        return float(colour) >= _WHITE_LEVEL
    if isinstance(colour, (tuple, list)) and all(isinstance(c, (int, float)) for c in colour):
        if len(colour) == 3:
            return all(float(c) >= _WHITE_LEVEL for c in colour)
        if len(colour) == 4:
            return all(float(c) <= 1 - _WHITE_LEVEL for c in colour)
    return False


def invisible_reason(render_mode: int, fill: Any, stroke: Any) -> str | None:
    """Why text drawn with this render mode and these colours cannot be seen, or None."""
    if render_mode in _INVISIBLE_MODES:
        return f"invisible text (PDF render mode {render_mode})"
    painted = stroke if render_mode in _STROKE_ONLY_MODES else fill
    if _is_white(painted):
        return "white text"
    return None


class _VisibleTextAggregator(PDFPageAggregator):
    """A pdfminer page aggregator that keeps invisible characters out of the layout and
    remembers their text and the reason instead."""

    def __init__(self, resources: PDFResourceManager, laparams: LAParams) -> None:
        super().__init__(resources, laparams=laparams)
        self.dropped: list[DroppedText] = []

    def render_string(
        self,
        textstate: PDFTextState,
        seq: Any,
        ncs: Any,
        graphicstate: PDFGraphicState,
    ) -> None:
        reason = invisible_reason(textstate.render, graphicstate.ncolor, graphicstate.scolor)
        if reason is None and self.ctm is not None:
            matrix = mult_matrix(textstate.matrix, self.ctm)
            if abs(textstate.fontsize) * math.hypot(matrix[2], matrix[3]) < TINY_TEXT_PT:
                reason = f"text too small to read (under {TINY_TEXT_PT:g} pt)"
        if reason is None:
            super().render_string(textstate, seq, ncs, graphicstate)
            return
        # Lay the string out into a scratch container: the text position still advances.
        real = self.cur_item
        scratch: LTContainer[LTItem] = LTContainer((0, 0, 0, 0))
        self.cur_item = scratch  # type: ignore[assignment]
        try:
            super().render_string(textstate, seq, ncs, graphicstate)
        finally:
            self.cur_item = real
        text = "".join(getattr(item, "get_text", lambda: "")() for item in scratch)
        if text.strip():
            self.dropped.append(DroppedText(re.sub(r"\s+", " ", text).strip(), reason))


def _looks_like_heading(line: str, next_line: str | None) -> bool:
    words = line.split()
    return (
        0 < len(words) <= 10
        and not _SENTENCE_END.search(line)
        and line[:1].isupper()
        and not _NUMBERED_PARAGRAPH.match(line)
        and next_line is not None
        # A next line in lower case continues this one: it is a wrapped sentence.
        and not next_line[:1].islower()
    )


def _page_blocks(
    boxes: list[str], page_number: int, heading: tuple[str, ...]
) -> tuple[list[Block], tuple[str, ...]]:
    """Blocks from a page's text boxes, read in order as one run of lines."""
    lines = [re.sub(r"\s+", " ", line).strip() for box in boxes for line in box.splitlines()]
    lines = [line for line in lines if line]
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
        next_line = lines[index + 1] if index + 1 < len(lines) else None
        if not paragraph and _looks_like_heading(line, next_line):
            heading = (line,)
            continue
        if _NUMBERED_PARAGRAPH.match(line):
            flush()
        paragraph.append(line)
        if _SENTENCE_END.search(line) and next_line is not None and next_line[:1].isupper():
            # No paragraph marks in a PDF; a line ending a sentence followed by a capital
            # is the best signal we have, and the chunker packs paragraphs back together anyway.
            flush()
    flush()
    return blocks, heading


def _boxes(layout: LTPage, dropped: list[DroppedText]) -> list[str]:
    """Text boxes of a laid-out page in pdfminer's reading order, one string each; boxes
    wholly outside the page's visible area go to `dropped`."""
    found: list[str] = []

    def visit(item: LTItem) -> None:
        if isinstance(item, LTTextBox):
            outside = (
                item.x1 <= layout.x0
                or item.x0 >= layout.x1
                or item.y1 <= layout.y0
                or item.y0 >= layout.y1
            )
            if outside:
                text = re.sub(r"\s+", " ", item.get_text()).strip()
                if text:
                    dropped.append(DroppedText(text, "outside the page"))
            else:
                found.append(item.get_text())
        elif isinstance(item, LTContainer):
            for child in item:
                visit(child)

    visit(layout)
    return found


def _open(path: Path) -> PdfReader:
    """A pypdf reader, decrypted with the empty user password when the PDF only restricts
    editing; DocumentError when a password is really needed to open it."""
    reader = PdfReader(str(path))
    if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise DocumentError(
            "the PDF needs a password to open: ask the publisher for a copy without one"
        )
    return reader


def extract_pdf(path: Path) -> ExtractedText:
    """Every page's visible text in reading order; DocumentError for broken or locked files."""
    result = ExtractedText()
    try:
        reader = _open(path)
        info = reader.metadata
        resources = PDFResourceManager()
        device = _VisibleTextAggregator(resources, LAParams())
        interpreter = PDFPageInterpreter(resources, device)
        pages: list[list[str]] = []
        with path.open("rb") as handle:
            for page in PDFPage.get_pages(handle, password=""):
                interpreter.process_page(page)
                pages.append(_boxes(device.get_result(), device.dropped))
    except DocumentError:
        raise
    except (PdfReadError, PDFException, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError(f"the PDF cannot be read ({type(exc).__name__}: {exc})") from exc
    result.dropped = device.dropped
    if info is not None:
        if info.title:
            result.meta["title"] = str(info.title).strip()
        if info.author:
            result.meta["publisher"] = str(info.author).strip()
    updated = updated_date_in_text("\n".join(box for boxes in pages for box in boxes))
    if updated is not None:
        result.meta["source_updated"] = updated.isoformat()
    heading: tuple[str, ...] = ()
    for number, boxes in enumerate(pages, start=1):
        blocks, heading = _page_blocks(boxes, number, heading)
        result.blocks.extend(blocks)
    return result
