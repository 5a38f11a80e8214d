"""The gaps report as Markdown (to read) or CSV (one row per topic, for a spreadsheet)."""

from __future__ import annotations

import csv
import io
from collections import Counter

from assistant.feedback.gaps import GapsReport

CSV_COLUMNS = [
    "topic",
    "questions",
    "not_covered",
    "declined",
    "not_helpful",
    "reasons",
    "example_questions",
    "comments",
    "documents",
]


def _counted(counter: Counter[str]) -> str:
    """'Wrong (2); Out of date (1)', most common first."""
    return "; ".join(f"{name} ({n})" for name, n in counter.most_common())


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def as_csv(report: GapsReport) -> str:
    """One row per topic; lists inside a cell are separated by ' | '."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for gap in report.topics:
        writer.writerow(
            [
                gap.topic,
                gap.questions,
                gap.not_covered,
                gap.declined,
                gap.not_helpful,
                _counted(gap.reasons),
                " | ".join(gap.examples),
                " | ".join(gap.comments),
                _counted(gap.documents),
            ]
        )
    return out.getvalue()


def as_markdown(report: GapsReport) -> str:
    """A heading, a table of topics, then answer kinds and helpfulness per period."""
    window = f"from {report.since}" + (f" to {report.until}" if report.until else "")
    lines = [f"# Gaps report, {window}", "", f"{report.answers} answers given."]
    if not report.topics:
        lines += ["", "Nothing to report: every question was answered and none marked not helpful."]
    else:
        lines += [
            "",
            "| Topic | Questions | Not covered | Declined | Not helpful | Reasons | "
            "Example questions | Comments | Documents touched |",
            "| --- | ---: | ---: | ---: | ---: | --- | --- | --- | --- |",
        ]
        for gap in report.topics:
            cells = [
                gap.topic,
                str(gap.questions),
                str(gap.not_covered),
                str(gap.declined),
                str(gap.not_helpful),
                _counted(gap.reasons),
                "<br>".join(_cell(q) for q in gap.examples),
                "<br>".join(_cell(c) for c in gap.comments),
                _counted(gap.documents),
            ]
            lines.append(
                "| " + " | ".join(_cell(c) if "<br>" not in c else c for c in cells) + " |"
            )
    lines += ["", "## Answers by kind", "", "| Period | Kind | Answers |", "| --- | --- | ---: |"]
    lines += [f"| {p} | {k} | {n} |" for p, k, n in report.kinds_over_time]
    lines += ["", "## Feedback", "", "| Period | Verdict | Count |", "| --- | --- | ---: |"]
    lines += [f"| {p} | {v} | {n} |" for p, v, n in report.helpfulness_over_time]
    return "\n".join(lines) + "\n"
