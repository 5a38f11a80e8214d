"""A document's own "last updated" date, read from its text (web pages and PDFs say it in words)."""

from __future__ import annotations

import datetime as dt
import re

from dateutil import parser as date_parser

# "Last updated: 12 March 2021", "Page last reviewed 3/4/2022", "Updated: 2021-03-12". A bare
# "updated" needs its colon: "the plan must be reviewed on 3 May" is not the page's date.
_UPDATED = re.compile(
    r"\b(?:last\s+(?:updated|reviewed|modified|revised)\s*(?:on\s+|:\s*)?|"
    r"(?:page\s+)?updated\s*:\s*)"
    r"(\d{4}-\d{2}-\d{2}|\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]{3,9},?\s+\d{4}|"
    r"[A-Za-z]{3,9}\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}/\d{1,2}/\d{4}|[A-Za-z]{3,9}\s+\d{4})",
    re.IGNORECASE,
)


def updated_date_in_text(text: str) -> dt.date | None:
    """The first "last updated" style date in a text, or None. Numeric dates are read
    day first (UK style); a month and year alone gives the first of that month."""
    for match in _UPDATED.finditer(text):
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", match.group(1)):
            try:
                return dt.date.fromisoformat(match.group(1))  # ISO: year first, never day first
            except ValueError:
                continue
        try:
            parsed = date_parser.parse(
                match.group(1), dayfirst=True, default=dt.datetime(2000, 1, 1)
            )
        except (ValueError, OverflowError):
            continue
        return parsed.date()
    return None
