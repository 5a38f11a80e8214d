"""Deadline calculator: from a date a parent gives, the statutory dates that follow, cited."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from dateutil.relativedelta import relativedelta

from assistant.answering.dates import DateMention, find_dates
from assistant.config import packaged_yaml
from assistant.corpus.chunking import Chunk

# (search query, figure the passage must state, claim it must support) -> passage
EvidenceFinder = Callable[[str, str, str], Chunk | None]


@dataclass(frozen=True)
class Deadline:
    """One computed date, the rule behind it and the passage that states the rule."""

    date: dt.date
    label: str
    rule: str
    evidence: Chunk


@dataclass(frozen=True)
class DeadlinePlan:
    """The event and date the parent gave, and the dates that follow from them."""

    event: str
    start: DateMention
    deadlines: list[Deadline]

    def statements(self) -> list[tuple[str, str, Chunk | None]]:
        """(text, claim, passage) per line: the passage vouches for the claim (the rule); the
        date is our arithmetic. The lead-in and the caveat cite nothing."""
        lead = f"Counting from {self.start.date:%-d %B %Y}, {self.event}:"
        if self.start.assumption:
            lead = f"{lead[:-1]} ({self.start.assumption}):"
        lines: list[tuple[str, str, Chunk | None]] = [(lead, "", None)]
        for deadline in self.deadlines:
            claim = f"{deadline.label} ({deadline.rule})"
            lines.append((f"by {deadline.date:%A %-d %B %Y}, {claim}.", claim, deadline.evidence))
        caveat = (
            "These dates are a guide: time limits run from when the council received the "
            "request or sent the document, and some exceptions can apply."
        )
        lines.append((caveat, "", None))
        return lines


@lru_cache(maxsize=1)
def _events() -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [dict(e) for e in packaged_yaml("deadlines.yaml")["events"]]
    for event in events:
        event["patterns"] = [re.compile(p, re.IGNORECASE) for p in event["triggers"]]
    return events


def _add(start: dt.date, step: dict[str, Any]) -> tuple[dt.date, str]:
    if "days" in step:
        return start + dt.timedelta(days=step["days"]), f"{step['days']} days"
    if "weeks" in step:
        return start + dt.timedelta(weeks=step["weeks"]), f"{step['weeks']} weeks"
    months = int(step["months"])
    unit = "month" if months == 1 else "months"
    return start + relativedelta(months=months), f"{months} {unit}"


def plan_deadlines(text: str, today: dt.date, find_evidence: EvidenceFinder) -> DeadlinePlan | None:
    """The deadlines for the first event in the message that comes with a date."""
    mentions = find_dates(text, today)
    if not mentions:
        return None
    for event in _events():
        trigger = next((m for p in event["patterns"] if (m := p.search(text))), None)
        if trigger is None:
            continue
        # The date nearest the words describing the event is the one that belongs to it.
        start = min(mentions, key=lambda m: abs(m.start - trigger.start()))
        deadlines = []
        for step in event["steps"]:
            date, rule = _add(start.date, step)
            evidence = find_evidence(step["find"], step["evidence"], f"{step['label']} ({rule})")
            if evidence is None:
                continue  # never state a rule the corpus does not hold
            deadlines.append(Deadline(date=date, label=step["label"], rule=rule, evidence=evidence))
        if deadlines:
            return DeadlinePlan(event=event["describe"], start=start, deadlines=deadlines)
    return None
