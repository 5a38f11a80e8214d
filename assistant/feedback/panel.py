"""The gaps report as a panel for the staff area: dates in, a table, two charts and a CSV out.

`gaps_panel()` adds its components to the `gr.Blocks` it is called inside; it has no login of
its own: the staff area passes its session token and a check, so the report (whose Gradio event
is callable by anyone who can reach the server) is only given to a logged-in member of staff.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from assistant.config import Settings, get_settings
from assistant.feedback.gaps import GapsReport, build_report
from assistant.feedback.report_text import as_csv, as_markdown
from assistant.feedback.store import RecordStore, RecordsUnavailable, sqlite_url

DEFAULT_DAYS = 30


def chart_tables(report: GapsReport) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(answers per period and kind, feedback per period and verdict), for bar charts."""
    kinds = pd.DataFrame(report.kinds_over_time, columns=["period", "kind", "answers"])
    verdicts = pd.DataFrame(report.helpfulness_over_time, columns=["period", "verdict", "count"])
    return kinds, verdicts


def report_view(
    store: RecordStore, topics_file: Path, since: str, until: str, by: str, out_dir: Path
) -> tuple[str, pd.DataFrame, pd.DataFrame, str]:
    """What the panel shows for the dates typed: (Markdown report, kinds table, feedback table,
    path of the CSV to download). Raises gr.Error naming a bad date or an unreadable store."""
    try:
        first = dt.date.fromisoformat(since.strip())
        last = dt.date.fromisoformat(until.strip()) if until and until.strip() else None
    except ValueError as exc:
        raise gr.Error("Dates must look like 2026-11-01.") from exc
    try:
        report = build_report(store, first, last, topics_file, by)
    except (ValueError, RecordsUnavailable) as exc:
        raise gr.Error(str(exc)) from exc
    csv_path = out_dir / f"gaps-{first}.csv"
    csv_path.write_text(as_csv(report), encoding="utf-8")
    kinds, verdicts = chart_tables(report)
    return as_markdown(report), kinds, verdicts, str(csv_path)


def gaps_panel(
    settings: Settings | None = None,
    store: RecordStore | None = None,
    token: gr.State | None = None,
    check: Callable[[str], object] | None = None,
) -> None:
    """Add the gaps report controls, table and charts to the enclosing gr.Blocks.

    With `token` and `check`, each request first calls `check(token)`, which raises gr.Error
    when the session is not a logged-in member of staff."""
    settings = settings or get_settings()
    records = store or RecordStore(settings.feedback_db_url or sqlite_url(settings.log_dir))
    out_dir = Path(tempfile.mkdtemp(prefix="gaps-"))
    start = dt.date.today() - dt.timedelta(days=DEFAULT_DAYS)
    gr.Markdown(
        "## Gaps report\nQuestions the guidance does not cover, questions declined, and "
        "answers parents marked not helpful, by topic."
    )
    with gr.Row():
        since = gr.Textbox(start.isoformat(), label="From (YYYY-MM-DD)", elem_id="gaps-since")
        until = gr.Textbox("", label="Up to, not including (optional)", elem_id="gaps-until")
        by = gr.Radio(["day", "week"], value="day", label="Chart by", elem_id="gaps-by")
    show = gr.Button("Show report", elem_id="gaps-show")
    kinds_chart = gr.BarPlot(x="period", y="answers", color="kind", label="Answers by kind")
    verdict_chart = gr.BarPlot(x="period", y="count", color="verdict", label="Feedback")
    table = gr.Markdown(elem_id="gaps-table")
    download = gr.File(label="Download as CSV", elem_id="gaps-csv")

    def refresh(first: str, last: str, period: str, session: str = "") -> tuple[Any, ...]:
        if check is not None:
            check(session)
        text, kinds, verdicts, path = report_view(
            records, settings.topics_file, first, last, period, out_dir
        )
        return text, kinds, verdicts, path

    show.click(
        refresh,
        [since, until, by, *([token] if token is not None else [])],
        [table, kinds_chart, verdict_chart, download],
        api_visibility="private",
    )
