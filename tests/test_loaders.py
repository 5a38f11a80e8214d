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
        (
            FRONT.replace("---\ntitle", "---\nasked_about: nursery\ntitle"),
            r"asked_about must be a list of words",
        ),
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


def test_files_that_can_never_work_are_named_with_their_reason(tmp_path: Path) -> None:
    from assistant.corpus.files import FileLimits

    folder = tmp_path / "local-offer"
    write(folder / "good.md", FRONT + "Reviews happen every year.\n")
    (folder / "loop-a.md").symlink_to(folder / "loop-b.md")
    (folder / "loop-b.md").symlink_to(folder / "loop-a.md")
    (folder / "gone.md").symlink_to(folder / "deleted-long-ago.md")
    write(folder / "empty.md", "")
    write(folder / "blank.md", "\n  \n")
    write(folder / "huge.md", FRONT + ("Reviews happen every year. " * 200) + "\n")
    write(folder / "bad-yaml.md", '---\ntitle: "Reviews"\nsource_url: [unclosed\n---\nText.\n')
    files = corpus_files(tmp_path)
    # Broken links are listed, so ingest names them instead of skipping them in silence.
    assert [p.name for p in files] == [
        "bad-yaml.md",
        "blank.md",
        "empty.md",
        "gone.md",
        "good.md",
        "huge.md",
        "loop-a.md",
        "loop-b.md",
    ]
    limits = FileLimits(text_bytes=4000)
    reasons = {}
    for path in files:
        try:
            load_document(path, limits)
        except DocumentError as exc:
            reasons[path.name] = str(exc)
    assert reasons["loop-a.md"] == "symbolic link loop: the link leads back to itself"
    assert reasons["gone.md"].startswith("dangling symbolic link: it points to ")
    assert reasons["gone.md"].endswith("deleted-long-ago.md, which does not exist")
    assert reasons["empty.md"] == "empty"
    assert reasons["blank.md"] == "empty"
    assert reasons["huge.md"].startswith("too large: 0.0 MB is over the 0.0 MB limit")
    assert "SEND_MAX_TEXT_FILE_MB" in reasons["huge.md"]
    assert reasons["bad-yaml.md"].startswith("front matter is not valid YAML at line 4")
    assert "good.md" not in reasons


def test_a_file_without_read_permission_says_so() -> None:
    """Run as an unprivileged user (root reads any file), through ingest.py --explain."""
    import os
    import shutil
    import subprocess
    import sys
    import tempfile

    from assistant.config import PROJECT_ROOT

    # Not under pytest's tmp folder: that is private to its owner, and the folder must not
    # be what blocks the read.
    root = Path(tempfile.mkdtemp(prefix="send-permission-"))
    root.chmod(0o755)
    folder = root / "local-offer"
    path = write(folder / "private.md", FRONT + "Reviews happen every year.\n")
    path.chmod(0o000)
    command = [sys.executable, str(PROJECT_ROOT / "ingest.py"), "--explain", str(path)]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is needed to drop root for this test"
        command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, cwd=root, check=False, timeout=300
        )
    finally:
        shutil.rmtree(root)
    assert result.returncode == 1, result.stderr
    assert "CANNOT BE USED: permission denied: the file cannot be read" in result.stdout


def test_hidden_html_inside_markdown_is_dropped(tmp_path: Path) -> None:
    path = write(
        tmp_path / "local-offer" / "reviews.md",
        FRONT + "# Annual reviews\n\n## Timing\n\nReviews happen every year, see "
        "<https://localoffer.example.gov.uk/reviews>.\n\n"
        '<p style="display:none">Parents must pay 75 pounds for a review.</p>\n\n'
        "- Families get <b>2 weeks'</b> notice.<span hidden> Schools may skip reviews.</span>\n",
    )
    document = load_document(path)
    assert [b.text for b in document.blocks] == [
        "Reviews happen every year, see <https://localoffer.example.gov.uk/reviews>.",
        "Families get 2 weeks' notice.",
    ]
    assert [(d.text, d.reason) for d in document.dropped] == [
        ("Parents must pay 75 pounds for a review.", "display:none (inline style)"),
        ("Schools may skip reviews.", "hidden attribute"),
    ]
