"""Which PDF extraction keeps a two-column leaflet's sentences whole? (python benchmarks/pdf_reading_order.py)

Reads tests/fixtures/council/local-offer/short-breaks-two-columns.pdf (two columns drawn row by
row, written by tests/fixtures/council/make_pdfs.py) with pypdf's plain and layout modes and with
the project's extractor (pdfminer.six layout analysis), and counts how many of the leaflet's
four sentences come out whole and in order. Also times each over 200 runs of the one page.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from pypdf import PdfReader

from assistant.corpus.pdf_text import extract_pdf

FIXTURE = (
    Path(__file__).resolve().parent.parent
    / "tests/fixtures/council/local-offer/short-breaks-two-columns.pdf"
)
SENTENCES = [
    "Short breaks give parents a rest from caring while children try new activities.",
    "Ask the Aiming High team for a place at a club.",
    "Direct payments let families buy support themselves instead of using council services.",
    "The council reviews each payment every year.",
]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pypdf_plain() -> str:
    return _flat(PdfReader(str(FIXTURE)).pages[0].extract_text())


def pypdf_layout() -> str:
    return _flat(PdfReader(str(FIXTURE)).pages[0].extract_text(extraction_mode="layout"))


def pdfminer_layout() -> str:
    return _flat(" ".join(block.text for block in extract_pdf(FIXTURE).blocks))


def main() -> None:
    for name, extract in (
        ("pypdf plain", pypdf_plain),
        ("pypdf layout", pypdf_layout),
        ("pdfminer.six (ours)", pdfminer_layout),
    ):
        text = extract()
        whole = sum(sentence in text for sentence in SENTENCES)
        started = time.perf_counter()
        for _ in range(200):
            extract()
        per_page_ms = (time.perf_counter() - started) / 200 * 1000
        print(f"{name:22} sentences whole: {whole}/4   {per_page_ms:.1f} ms per page")


if __name__ == "__main__":
    main()
