"""Find the date a parent mentions ("on 3 March", "3/3/25", "last Monday", "today"), UK order."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH_NAME = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)?"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")),
    ("numeric", re.compile(r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})\b")),
    # Without a year, only "on 3/3" style (a bare 9/10 or 9.14 is too often something else).
    (
        "numeric",
        re.compile(
            r"(?:(?<=\bon )|(?<=\bsince )|(?<=\bfrom )|(?<=\bdated ))(\d{1,2})/(\d{1,2})()(?![/\d])",
            re.I,
        ),
    ),
    (
        "day_month",
        re.compile(rf"\b{_ORDINAL}(?:\s+of)?\s+({_MONTH_NAME})\.?(?:,?\s+(\d{{4}}))?\b", re.I),
    ),
    (
        "month_day",
        re.compile(rf"\b({_MONTH_NAME})\.?\s+{_ORDINAL}(?:,?\s+(\d{{4}}))?\b", re.I),
    ),
    ("relative_day", re.compile(r"\b(today|yesterday)\b", re.I)),
    ("weekday", re.compile(rf"\b(last|this|on)\s+({'|'.join(_WEEKDAYS)})\b", re.I)),
    (
        "ago",
        re.compile(
            r"\b(\d{1,2}|a|an|one|two|three|four|five|six)\s+(day|week|month)s?\s+ago\b", re.I
        ),
    ),
]
_SMALL_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


@dataclass(frozen=True)
class DateMention:
    """A date found in a message, where it was, and anything the reader should know about it."""

    date: dt.date
    text: str
    start: int
    assumption: str = ""


def _year(raw: str | None, day: int, month: int, today: dt.date) -> tuple[int, str]:
    if raw:
        year = int(raw)
        return (year + 2000 if year < 100 else year), ""
    year = today.year
    # A date given without a year is taken as the most recent one that has already happened.
    if (month, day) > (today.month, today.day):
        year -= 1
    return year, f"no year was given, so I have taken it as {year}"


def _build(day: int, month: int, year: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str, today: dt.date) -> list[DateMention]:
    """Every date mentioned in the text, in order, read in UK day-month order."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            mention = _mention(kind, match, today)
            if mention is not None:
                found.append(mention)
                taken.append(match.span())
    return sorted(found, key=lambda m: m.start)


def _mention(kind: str, match: re.Match[str], today: dt.date) -> DateMention | None:
    groups = match.groups()
    text, start = match.group(0), match.start()
    assumption = ""
    date: dt.date | None
    if kind == "iso":
        date = _build(int(groups[2]), int(groups[1]), int(groups[0]))
    elif kind == "numeric":
        first, second = int(groups[0]), int(groups[1])
        year, assumption = _year(groups[2] or None, first, second, today)
        date = _build(first, second, year)
        if date and first <= 12 and second <= 12 and first != second:
            note = f"I have read {text} in UK order, as {date:%-d %B %Y} (day first)"
            assumption = f"{note}; {assumption}" if assumption else note
    elif kind in ("day_month", "month_day"):
        day_raw, month_raw = (
            (groups[0], groups[1]) if kind == "day_month" else (groups[1], groups[0])
        )
        day, month = int(day_raw), _MONTHS[month_raw.lower().rstrip(".")]
        year, assumption = _year(groups[2], day, month, today)
        date = _build(day, month, year)
    elif kind == "relative_day":
        date = today if groups[0].lower() == "today" else today - dt.timedelta(days=1)
    elif kind == "weekday":
        target = _WEEKDAYS.index(groups[1].lower())
        back = (today.weekday() - target) % 7
        if groups[0].lower() == "last" and back == 0:
            back = 7
        date = today - dt.timedelta(days=back)
        assumption = f"I have taken {text} as {date:%A %-d %B %Y}"
    else:  # "ago"
        amount = int(groups[0]) if groups[0].isdigit() else _SMALL_NUMBERS[groups[0].lower()]
        unit = groups[1].lower()
        if unit == "month":
            from dateutil.relativedelta import relativedelta

            date = today - relativedelta(months=amount)
        else:
            date = today - dt.timedelta(days=amount * (7 if unit == "week" else 1))
        assumption = f"I have taken {text} as {date:%-d %B %Y}"
    if date is None:
        return None
    return DateMention(date=date, text=text, start=start, assumption=assumption)
