"""A self-contained HTML report: headline figures, plots, and the failing items first."""

from __future__ import annotations

import base64
import html
import io
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on servers and in CI
import matplotlib.pyplot as plt

BEHAVIOURS = ["answer", "decline", "urgent_signpost"]


def _png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _img(data: str, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def kind_chart(summary: dict[str, Any]) -> str:
    """Bars per question kind: must_include pass rate and behaviour accuracy."""
    kinds = list(summary["by_kind"])
    include = [(summary["by_kind"][k]["must_include_pass_rate"] or 0) * 100 for k in kinds]
    behaviour = [(summary["by_kind"][k]["behaviour_accuracy"] or 0) * 100 for k in kinds]
    figure, axes = plt.subplots(figsize=(8, 3.6))
    positions = range(len(kinds))
    axes.bar(
        [p - 0.2 for p in positions],
        include,
        width=0.4,
        label="facts stated (must_include)",
        color="#1d70b8",
    )
    axes.bar(
        [p + 0.2 for p in positions], behaviour, width=0.4, label="right behaviour", color="#00703c"
    )
    axes.set_xticks(list(positions), kinds, rotation=25, ha="right")
    axes.set_ylim(0, 105)
    axes.set_ylabel("%")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=2, fontsize=8, frameon=False)
    axes.set_title("By kind of question")
    return _img(_png(figure), "Bar chart of results by kind of question")


def latency_chart(results: list[dict[str, Any]]) -> str:
    """Histogram of per-item answer latency."""
    figure, axes = plt.subplots(figsize=(5, 3.2))
    axes.hist([r["latency_ms"] for r in results], bins=30, color="#4c2c92")
    axes.set_xlabel("milliseconds per answer")
    axes.set_ylabel("items")
    axes.set_title("Latency")
    return _img(_png(figure), "Histogram of answer latency")


def confusion_chart(summary: dict[str, Any]) -> str:
    """Expected against actual behaviour."""
    confusion = summary["behaviour"]["confusion"]
    grid = [[confusion.get(e, {}).get(a, 0) for a in BEHAVIOURS] for e in BEHAVIOURS]
    figure, axes = plt.subplots(figsize=(4.4, 3.6))
    axes.imshow(grid, cmap="Blues")
    darkest = max(max(row) for row in grid) or 1
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            colour = "white" if value > darkest / 2 else "black"
            axes.text(j, i, str(value), ha="center", va="center", color=colour)
    axes.set_xticks(range(3), BEHAVIOURS, rotation=20)
    axes.set_yticks(range(3), BEHAVIOURS)
    axes.set_xlabel("what the assistant did")
    axes.set_ylabel("what it should do")
    axes.set_title("Behaviour")
    return _img(_png(figure), "Confusion matrix of expected against actual behaviour")


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _words(summary: dict[str, Any]) -> str:
    words = summary.get("length", {}).get("words_mean")
    return "–" if words is None else f"{words:.0f}"


def headline_rows(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """The figures the product side reads first."""
    r, a, c = summary["retrieval"], summary["answer"], summary["citations"]
    s, f = summary["safeguarding"], summary["follow_up"]
    return [
        ("Items passed", f"{summary['passed']} of {summary['items']}"),
        ("Retrieval hit@1 / hit@5", f"{_pct(r['hit_at_1'])} / {_pct(r['hit_at_5'])}"),
        ("Retrieval MRR / nDCG@10", f"{_num(r['mrr'])} / {_num(r['ndcg_at_10'])}"),
        (
            "Facts stated (must_include checks passed)",
            f"{_pct(a['must_include_pass_rate'])} of {a['checks']}",
        ),
        ("must_not_include violations", str(a["must_not_include_violations"])),
        (
            "Cited sentences supported by their passage",
            f"{_pct(c['supported_share'])} of {c['sentences']} (threshold {c['threshold']})",
        ),
        ("Behaviour accuracy", _pct(summary["behaviour"]["accuracy"])),
        ("Safeguarding recall", f"{_pct(s['recall'])} of {s['items']}"),
        (
            "False alarms on ordinary items",
            f"{s['false_alarms']} of {s['ordinary_items']} ({_pct(s['false_alarm_rate'])})",
        ),
        ("Out-of-scope declined", _pct(summary["scope"]["decline_rate"])),
        (
            "Follow-up vs standalone hit@5",
            f"{_pct(f['hit_at_5'])} vs {_pct(f['standalone_hit_at_5'])} ({f['pairs']} pairs)",
        ),
        (
            "Follow-up vs standalone facts stated",
            f"{_pct(f.get('facts'))} vs {_pct(f.get('standalone_facts'))}"
            f" ({f.get('fact_pairs', 0)} pairs)",
        ),
        ("Answer length (mean words read)", _words(summary)),
        (
            "False-premise items passed",
            f"{summary['false_premise']['passed']} of {summary['false_premise']['items']}",
        ),
        (
            "Latency p50 / p95",
            f"{summary['latency_ms']['p50']:.0f} ms / {summary['latency_ms']['p95']:.0f} ms",
        ),
    ]


def _table(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    return f"<table class='figures'>{body}</table>"


def baseline_table(summary: dict[str, Any]) -> str:
    """Our pipeline beside each baseline on the same items."""
    systems = {"this pipeline": summary, **summary.get("baselines", {})}
    header = "<tr><th>system</th><th>hit@1</th><th>hit@5</th><th>MRR</th><th>nDCG@10</th><th>facts stated</th><th>behaviour</th><th>words read</th></tr>"
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{_pct(s['retrieval']['hit_at_1'])}</td>"
        f"<td>{_pct(s['retrieval']['hit_at_5'])}</td><td>{_num(s['retrieval']['mrr'])}</td>"
        f"<td>{_num(s['retrieval']['ndcg_at_10'])}</td><td>{_pct(s['answer']['must_include_pass_rate'])}</td>"
        f"<td>{_pct(s['behaviour']['accuracy'])}</td><td>{_words(s)}</td></tr>"
        for name, s in systems.items()
    )
    return f"<table class='grid'>{header}{rows}</table>"


def item_block(result: dict[str, Any]) -> str:
    """One item: question, what went wrong, the answer and its sources."""
    status = "pass" if result["passed"] else "fail"
    history = "".join(
        f"<div class='turn'><b>{html.escape(t['role'])}:</b> {html.escape(t['content'])}</div>"
        for t in result["history"]
    )
    rewritten = ""
    if result["standalone_question"] and result["standalone_question"] != result["question"]:
        rewritten = (
            f"<div class='meta'>Rewritten as: {html.escape(result['standalone_question'])}</div>"
        )
    failures = "".join(f"<li>{html.escape(f)}</li>" for f in result["failures"])
    sources = ", ".join(html.escape(str(c["doc_id"])) for c in result["citations"]) or "none"
    return (
        f"<details class='item {status}' {'open' if not result['passed'] else ''}>"
        f"<summary><span class='badge {status}'>{status}</span> <code>{html.escape(result['id'])}</code> "
        f"{html.escape(result['question'][:140])}</summary>{history}{rewritten}"
        f"<div class='meta'>kind {html.escape(result['kind'])} · expected {result['expected_behaviour']} · "
        f"got {result['behaviour']} · expected sources {html.escape(', '.join(result['expected_sources']) or 'none')}"
        f" · ranked {html.escape(', '.join(result['ranked_docs'][:5]))} · cited {sources} · {result['latency_ms']} ms</div>"
        f"{f'<ul class=failures>{failures}</ul>' if failures else ''}"
        f"<pre>{html.escape(result['answer'])}</pre></details>"
    )


STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#0b0c0c}
h1{font-size:1.7rem}h2{margin-top:2rem;border-bottom:2px solid #1d70b8;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{padding:.35rem .7rem;border-bottom:1px solid #ddd;text-align:left}
table.figures th{font-weight:600;width:24rem}.grid th{background:#f3f2f1}
.charts{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}.charts img{max-width:100%;border:1px solid #eee}
details.item{border:1px solid #ddd;border-left:6px solid #00703c;margin:.4rem 0;padding:.4rem .7rem;border-radius:3px}
details.item.fail{border-left-color:#d4351c}summary{cursor:pointer}
.badge{display:inline-block;padding:0 .4rem;border-radius:3px;color:#fff;font-size:.8rem;text-transform:uppercase}
.badge.pass{background:#00703c}.badge.fail{background:#d4351c}.meta{color:#505a5f;font-size:.85rem;margin:.3rem 0}
pre{white-space:pre-wrap;background:#f8f8f8;padding:.6rem;font-size:.85rem}.turn{font-size:.9rem;color:#333}
ul.failures{color:#d4351c;margin:.3rem 0}
"""


def render_report(summary: dict[str, Any], results: list[dict[str, Any]], title: str) -> str:
    """The whole report as one HTML page with inline images."""
    failing = [r for r in results if not r["passed"]]
    passing = [r for r in results if r["passed"]]
    unsupported = summary["citations"]["unsupported"]
    unsupported_html = (
        "<ul>"
        + "".join(
            f"<li><code>{html.escape(u['id'])}</code> {html.escape(u['text'])} (support {u['support']})</li>"
            for u in unsupported
        )
        + "</ul>"
        if unsupported
        else "<p>Every cited sentence is supported by its passage.</p>"
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{summary["items"]} items · {html.escape(str(summary.get("set", "")))} · generated {html.escape(str(summary.get("generated", "")))}</p>
<h2>Headline figures</h2>{_table(headline_rows(summary))}
<h2>Against baselines (same items)</h2>{baseline_table(summary)}
<div class="charts">{kind_chart(summary)}{confusion_chart(summary)}{latency_chart(results)}</div>
<h2>Unsupported citations</h2>{unsupported_html}
<h2>Failing items ({len(failing)})</h2>{"".join(item_block(r) for r in failing) or "<p>None.</p>"}
<h2>Passing items ({len(passing)})</h2>{"".join(item_block(r) for r in passing)}
</body></html>"""
