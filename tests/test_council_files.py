"""Council-style files (tests/fixtures/council): the right text comes out and the wrong text
does not, one test per kind of file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assistant.corpus.chunking import is_quotable
from assistant.corpus.documents import DocumentError
from assistant.corpus.loaders import load_document

COUNCIL = Path(__file__).parent / "fixtures" / "council" / "local-offer"


def load(name: str):  # type: ignore[no-untyped-def]
    return load_document(COUNCIL / name)


def test_hidden_html_text_is_dropped_and_named_with_its_reason() -> None:
    document = load("ehc-assessment-fees.html")
    text = document.text
    assert "Asking the council for an EHC needs assessment is free." in text
    assert "Write to the SEN team" in text  # white text on the panel's dark background
    # A later, more specific page rule shows this paragraph again.
    assert "The council replies within six weeks of getting your request." in text
    reasons = {item.text: item.reason for item in document.dropped}
    assert reasons == {
        "Parents must pay a 75 pound fee for an EHC needs assessment.": "display:none (inline style)",
        "A charge of 50 pounds applies to every request made after March.": (
            "display:none (page CSS rule '.archived-notice')"
        ),
        "The council only accepts requests from schools.": "font-size 1px (inline style)",
        "Requests sent by email are never read.": "hidden attribute",
        "Families must wait a year before asking again.": "aria-hidden",
        "You need a solicitor to make a request.": "visibility:hidden (inline style)",
        "Requests are only accepted on Mondays.": "font-size 0 (inline style)",
        "Only requests on the official form count.": "text in the background colour",
        "Appeals cost 200 pounds.": "height:0 with overflow:hidden (page CSS rule '.collapsed')",
        "Only parents who live in the city may apply.": (
            "text-indent -9999px (page CSS rule '.logo-text')"
        ),
        "Your child must be over five.": "transform scale(0) (inline style)",
        # Shown only when printed (@media print), so hidden on screen.
        "Printed copies must be signed by a doctor.": "display:none (page CSS rule '.print-only')",
    }
    for hidden in reasons:
        assert hidden not in text
    # Screen-reader-only text is read aloud to parents who use one, so it stays.
    assert "Read the request guide on the council website (opens a PDF)." in text


def test_invisible_pdf_text_is_dropped() -> None:
    document = load("ehc-fee-leaflet.pdf")
    assert "There is no fee." in document.text
    assert "The council must decide within 6 weeks" in document.text
    assert "pound" not in document.text and "Only schools" not in document.text
    assert [(item.text, item.reason) for item in document.dropped] == [
        ("Parents must pay a 75 pound fee for an EHC needs assessment.", "white text"),
        (
            "The council charges 40 pounds for every annual review.",
            "invisible text (PDF render mode 3)",
        ),
        ("Appeals cost 300 pounds.", "text too small to read (under 1 pt)"),
        ("Only schools may ask for an assessment.", "outside the page"),
    ]
    assert document.meta.source_updated == dt.date(2025, 1, 12)  # "last updated" in its text


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "travel-support-1252.html",
            [
                "Children with an EHC plan may get help with travel to school \u2013 for example "
                "a bus pass or a taxi.",
                "Parents\u2019 mileage is paid at 45p a mile, and a bus pass costs \u00a30 for "
                "eligible children.",
            ],
        ),
        (
            "short-breaks-latin1.html",
            [
                "The Saturday caf\u00e9 club costs \u00a32 a session and is open to children aged 8 to 16."
            ],
        ),
    ],
)
def test_declared_charsets_are_decoded(name: str, expected: list[str]) -> None:
    raw = (COUNCIL / name).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the fixture really is not UTF-8
    assert [block.text for block in load(name).blocks] == expected


def test_text_directly_in_divs_with_line_breaks_is_kept() -> None:
    assert [block.text for block in load("sendiass-contacts.html").blocks] == [
        "SENDIASS contact details",
        "The SENDIASS service gives free, impartial advice to parents of children with SEND.",
        "You can phone the advice line on 01632 960123.",
        "Lines are open Monday to Friday, 9am to 5pm.",
        "Email advice@sendiass.example.org.uk and a caseworker replies within three working days.",
    ]


def test_tables_carry_their_headers_and_fragments_are_never_quoted() -> None:
    document = load("annual-reviews-table.html")
    texts = [block.text for block in document.blocks]
    assert (
        "Step: Decision on the plan; Who does it: The council; Time limit: 4 weeks after the meeting."
        in texts
    )
    assert "Statementing" not in document.text  # the "On this page" contents list is dropped
    assert "Assessment refused (6 weeks)" in texts  # still searchable ...
    assert not is_quotable("Assessment refused (6 weeks)")  # ... but never an answer sentence
    assert not is_quotable("Statementing.")
    assert is_quotable("An EHC plan must be reviewed at least once every 12 months.")


def test_two_column_leaflet_is_read_column_by_column() -> None:
    texts = [block.text for block in load("short-breaks-two-columns.pdf").blocks]
    assert texts == [
        "Short breaks give parents a rest from caring while children try new activities.",
        "Ask the Aiming High team for a place at a club.",
        "Direct payments let families buy support themselves instead of using council services.",
        "The council reviews each payment every year.",
    ]


def test_ligatures_become_plain_letters() -> None:
    text = load("direct-payments-ligatures.pdf").text
    assert "financial benefit and flexibility" in text and "office" in text
    assert not any(ligature in text for ligature in "\ufb00\ufb01\ufb02\ufb03\ufb04")


def test_pdf_secured_only_against_editing_is_read() -> None:
    text = load("travel-owner-password.pdf").text
    assert text == "Travel support can include a bus pass for children with an EHC plan."


def test_pdf_that_needs_a_password_is_refused_with_that_reason() -> None:
    with pytest.raises(DocumentError, match="needs a password to open"):
        load("locked-user-password.pdf")


def test_a_pages_own_last_updated_date_is_kept() -> None:
    assert load("old-transport-page.html").meta.source_updated == dt.date(2019, 3, 4)
    assert load("sendiass-contacts.html").meta.source_updated is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Last updated: 4 March 2019", dt.date(2019, 3, 4)),
        ("Page last reviewed 3/4/2022", dt.date(2022, 4, 3)),  # day first, as in the UK
        ("Updated: 2021-03-12", dt.date(2021, 3, 12)),  # ISO is year, month, day
        ("last updated 2023-05-01T10:00:00Z", dt.date(2023, 5, 1)),
        ("Last updated: June 2020", dt.date(2020, 6, 1)),
        ("The plan must be reviewed on 3 May 2024.", None),  # not the page's own date
        ("Last updated: 2023-13-45", None),
    ],
)
def test_last_updated_dates_are_read_the_uk_way(text: str, expected: dt.date | None) -> None:
    from assistant.corpus.updated import updated_date_in_text

    assert updated_date_in_text(text) == expected


def test_white_text_on_a_picture_or_dark_panel_is_kept() -> None:
    from assistant.corpus.html_text import extract_html

    page = extract_html(
        "<html><head><style>.hero { background: url(hero.jpg) center; color: #fff; }"
        ".band { background-image: linear-gradient(#003, #006); color: white; }</style></head>"
        '<body><main><div class="hero"><p>Our SEN team is here to help families.</p></div>'
        '<div class="band"><p>Call the SEN team on weekdays.</p></div>'
        '<div style="background:#fff"><p style="color:#fefefe">A hidden near-white line.</p></div>'
        "</main></body></html>"
    )
    assert [block.text for block in page.blocks] == [
        "Our SEN team is here to help families.",
        "Call the SEN team on weekdays.",
    ]
    assert [(d.text, d.reason) for d in page.dropped] == [
        ("A hidden near-white line.", "text in the background colour")
    ]
