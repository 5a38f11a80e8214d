"""Loaders on real files: Markdown with front matter, saved HTML pages and generated PDFs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fpdf import FPDF

from assistant.corpus.documents import DocumentError
from assistant.corpus.loaders import corpus_files, load_document

FRONT = """---
title: "Annual reviews"
source_url: "https://localoffer.stoke.gov.uk/send-local-offer-1/support-education/5"
publisher: "Stoke-on-Trent City Council"
last_checked: 2026-11-25
summary: "How reviews work."
---
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_markdown_keeps_metadata_and_heading_paths(tmp_path: Path) -> None:
    path = write(
        tmp_path / "local-offer" / "reviews.md",
        FRONT + "# Annual reviews\n\nIntro text.\n\n## Timing\n\n### Notice\n\n"
        "Families get **2 weeks'** notice.\n\n- A [linked](https://x.example) bullet.\n",
    )
    document = load_document(path)
    assert document.meta.doc_id == "reviews"
    assert document.meta.collection == "local_offer"  # from the folder name
    assert document.meta.last_checked == dt.date(2026, 11, 25)
    assert [b.heading_path for b in document.blocks] == [
        (),
        ("Timing", "Notice"),
        ("Timing", "Notice"),
    ]
    assert document.blocks[1].text == "Families get 2 weeks' notice."
    assert document.blocks[2].text == "A linked bullet."


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("# No front matter\n\nText.", "no front matter"),
        ("---\ntitle: [unclosed\n---\nText.", "not valid YAML"),
        (
            FRONT.replace(
                'source_url: "https://localoffer.stoke.gov.uk/send-local-offer-1/support-education/5"\n',
                "",
            ),
            "source_url",
        ),
        (FRONT.replace("https://localoffer", "localoffer"), r"not an absolute http\(s\) URL"),
        (FRONT.replace("2026-11-25", "last tuesday"), "YYYY-MM-DD"),
        (FRONT + "", "no text"),
        (FRONT.replace("---\ntitle", "---\ncollection: recipes\ntitle"), "collection 'recipes'"),
    ],
)
def test_bad_markdown_names_the_reason(tmp_path: Path, text: str, reason: str) -> None:
    path = write(tmp_path / "local-offer" / "bad.md", text)
    with pytest.raises(DocumentError, match=reason):
        load_document(path)


PAGE = """<!doctype html><html><head><title>Short breaks | Stoke Local Offer</title>
<link rel="canonical" href="https://localoffer.stoke.gov.uk/things-2/aiming-high-activities/3">
<meta property="og:site_name" content="Stoke-on-Trent City Council">
<script>var tracking = "SECRET-SCRIPT";</script><style>.x{color:red}</style></head>
<body><div id="cookie-banner"><p>We use cookies COOKIE-TEXT</p><button>Accept</button></div>
<header><nav><ul><li>Home NAV-TEXT</li><li>Contact</li></ul></nav></header>
<main><h1>Aiming High short breaks</h1><p>The core offer is 2 sessions a month.</p>
<h2>Booking</h2><ul><li>Ask for places from the 1st of the month.</li></ul>
<div class="breadcrumb">Home &gt; Things to do CRUMB-TEXT</div></main>
<footer><p>Copyright FOOTER-TEXT</p></footer></body></html>"""


def test_html_keeps_main_content_only(tmp_path: Path) -> None:
    path = write(tmp_path / "local-offer" / "aiming-high.html", PAGE)
    write(tmp_path / "local-offer" / "aiming-high.meta.yaml", "last_checked: 2026-11-25\n")
    document = load_document(path)
    text = document.text
    assert "2 sessions a month" in text and "1st of the month" in text
    for furniture in ("SECRET-SCRIPT", "COOKIE-TEXT", "NAV-TEXT", "CRUMB-TEXT", "FOOTER-TEXT"):
        assert furniture not in text
    assert document.meta.source_url.endswith("aiming-high-activities/3")
    assert document.meta.publisher == "Stoke-on-Trent City Council"
    assert document.blocks[-1].heading_path == ("Booking",)


def test_html_without_metadata_asks_for_a_sidecar(tmp_path: Path) -> None:
    path = write(tmp_path / "local-offer" / "page.html", "<main><p>Some text here.</p></main>")
    with pytest.raises(DocumentError, match=r"page\.meta\.yaml"):
        load_document(path)


def make_pdf(path: Path, pages: list[list[str]]) -> Path:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.multi_cell(0, 6, line)
            pdf.ln(3)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def test_pdf_keeps_page_numbers(tmp_path: Path) -> None:
    path = make_pdf(
        tmp_path / "code-of-practice" / "cop-extract.pdf",
        [
            ["Chapter 9", "9.14 The council should consider evidence of the child's progress."],
            ["9.40 The whole process must take no more than 20 weeks from the request."],
            ["Annual reviews", "Reviews must happen at least every 12 months."],
        ],
    )
    write(
        tmp_path / "code-of-practice" / "cop-extract.meta.yaml",
        'title: "CoP extract"\nsource_url: "https://www.gov.uk/government/publications/send-code-of-practice-0-to-25"\n'
        'publisher: "DfE"\nlast_checked: 2026-11-25\n',
    )
    document = load_document(path)
    pages = {block.page for block in document.blocks}
    assert pages == {1, 2, 3}
    page_two = " ".join(b.text for b in document.blocks if b.page == 2)
    assert "20 weeks" in page_two
    assert document.meta.collection == "code_of_practice"


def test_broken_pdf_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path / "local-offer" / "broken.pdf", "%PDF-1.4 this is not really a pdf")
    with pytest.raises(DocumentError, match="PDF"):
        load_document(path)


def test_corpus_files_skips_readmes_and_hidden(tmp_path: Path) -> None:
    write(tmp_path / "README.md", "x")
    write(tmp_path / ".drafts" / "a.md", "x")
    write(tmp_path / "local-offer" / "b.md", "x")
    write(tmp_path / "local-offer" / "notes.txt", "x")
    assert [p.name for p in corpus_files(tmp_path)] == ["b.md"]
