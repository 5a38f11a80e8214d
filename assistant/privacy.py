"""Redaction of personal details before anything a parent typed is written to a log."""

from __future__ import annotations

import re

_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("[email]", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    # NHS numbers: 10 digits, often written 3-3-4.
    ("[nhs number]", re.compile(r"\b\d{3}[\s-]?\d{3}[\s-]?\d{4}\b")),
    # UK phone numbers: 01782 231863, 07700 900123, +44 7700 900123, 0800 1111.
    ("[phone]", re.compile(r"(?:\+44\s?\(?0?\)?\s?|\b0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b")),
    ("[postcode]", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)),
    # Dates (a date of birth is personal): 03/04/2015, 3 April 2015, April 3rd 2015.
    ("[date]", re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b")),
    (
        "[date]",
        re.compile(
            r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
            r"[a-z]*\.?,?\s+\d{4}\b",
            re.IGNORECASE,
        ),
    ),
]
# Names: after "my name is", "I'm", "called", or a relationship word, a capitalised word.
_NAME_CUES = re.compile(
    r"\b((?i:my name is|name's|i am|i'm|im|called|named|this is|"
    r"(?:my|our) (?:son|daughter|child|boy|girl|kid|baby|grandson|granddaughter|nephew|niece|"
    r"stepson|stepdaughter|foster (?:son|daughter|child)|partner|husband|wife))\s*,?\s+)"
    r"([A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+)?)"
)
# Capitalised words that follow those cues without being names.
_NOT_NAMES = {
    "I",
    "In",
    "At",
    "On",
    "Year",
    "Reception",
    "Stoke",
    "The",
    "A",
    "An",
    "Not",
    "So",
    "Very",
    "Really",
    "Worried",
    "Autistic",
    "Disabled",
    "Deaf",
    "Blind",
    "Who",
    "What",
    "Just",
    "Sorry",
}


def _replace_name(match: re.Match[str]) -> str:
    first = match.group(2).split()[0]
    if first in _NOT_NAMES:
        return match.group(0)
    return f"{match.group(1)}[name]"


def redact(text: str) -> str:
    """The text with emails, phone and NHS numbers, postcodes, dates and names replaced."""
    for placeholder, pattern in _RULES:
        text = pattern.sub(placeholder, text)
    return _NAME_CUES.sub(_replace_name, text)
