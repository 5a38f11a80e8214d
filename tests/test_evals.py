"""The evaluation suite: dataset checks, metrics, report, BEIR, and a gate that can fail."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES

from assistant.answering.retrieval import Candidate
from assistant.config import PROJECT_ROOT
from assistant.pipeline import AnswerPipeline
from evals.__main__ import main as evals_main
from evals.dataset import DatasetError, load_items
from evals.gate import check_gate, load_gate
from evals.metrics import hit_at, ndcg_at, percentile, reciprocal_rank
from evals.report import render_report
from evals.runner import run_items, summarise
from evals.systems import langchain_dense_system, pipeline_system

TINY_SET = FIXTURES / "tiny_eval.jsonl"
TINY_GATE = {
    "minimum": {
        "retrieval.hit_at_5": 0.8,
        "answer.must_include_pass_rate": 0.7,
        "behaviour.accuracy": 0.8,
        "safeguarding.recall": 1.0,
    },
    "maximum": {"safeguarding.false_alarm_rate": 0.1},
}


def test_metrics_match_hand_calculations() -> None:
    ranked = ["a", "b", "c", "d"]
    assert hit_at(ranked, ["c"], 1) == 0.0 and hit_at(ranked, ["c"], 5) == 1.0
    assert reciprocal_rank(ranked, ["c", "d"]) == pytest.approx(1 / 3)
    assert reciprocal_rank(ranked, ["c"], k=2) == 0.0
    ideal = 1 + 1 / np.log2(3)
    assert ndcg_at(ranked, {"a": 1, "c": 1}, 10) == pytest.approx((1 + 1 / np.log2(4)) / ideal)
    assert percentile([1, 2, 3, 4], 50) == 2.5


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 1: not valid JSON"),
        (
            '{"id": "x", "question": "q", "kind": "poetry", "expected_behaviour": "answer"}',
            "kind 'poetry'",
        ),
        (
            '{"id": "x", "question": "q", "kind": "factual", "expected_behaviour": "answer", "must_include": [["(unclosed"]]}',
            "bad regular expression",
        ),
        (
            '{"id": "x", "question": "q", "kind": "factual", "expected_behaviour": "maybe"}',
            "expected_behaviour",
        ),
    ],
)
def test_bad_dataset_lines_are_named(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(DatasetError, match=message):
        load_items(path)


@pytest.mark.parametrize("name", ["send_eval.jsonl", "smoke.jsonl", "heldout_safety.jsonl"])
def test_shipped_datasets_are_valid(name: str) -> None:
    items = load_items(PROJECT_ROOT / "evals" / "datasets" / name)
    ids = {item.id for item in items}
    assert all(item.paraphrase_of in ids for item in items if item.paraphrase_of)
    corpus_ids = {p.stem for p in (PROJECT_ROOT / "corpus").rglob("*.md")}
    assert {s for item in items for s in item.expected_sources} <= corpus_ids


def test_full_set_has_the_required_mix() -> None:
    items = load_items(PROJECT_ROOT / "evals" / "datasets" / "send_eval.jsonl")
    kinds = [item.kind for item in items]
    assert len(items) >= 200
    assert kinds.count("out_of_scope") >= 20 and kinds.count("safeguarding") >= 12
    assert kinds.count("follow_up") >= 25 and sum(item.false_premise for item in items) >= 10


class RandomRetrievalPipeline(AnswerPipeline):
    """The answer path with retrieval deliberately broken: random chunks, random order."""

    def search(self, text: str, vector: np.ndarray) -> list[Candidate]:
        chunks = random.Random(text).sample(self.lexical.chunks, k=min(6, len(self.lexical.chunks)))
        return [Candidate(chunk=c, fused=0.0, similarity=0.9) for c in chunks]


@pytest.mark.slow
def test_gate_passes_with_real_retrieval_and_fails_when_it_is_broken(
    tiny_pipeline: AnswerPipeline, tmp_path: Path
) -> None:
    items = load_items(TINY_SET)
    good = summarise(run_items(items, pipeline_system(tiny_pipeline)))
    assert all(check.ok for check in check_gate(good, TINY_GATE)), [
        c.line() for c in check_gate(good, TINY_GATE)
    ]

    broken_pipeline = RandomRetrievalPipeline(
        tiny_pipeline.settings, tiny_pipeline.embeddings, tiny_pipeline.store
    )
    broken = summarise(run_items(items, pipeline_system(broken_pipeline)))
    failed = {check.metric for check in check_gate(broken, TINY_GATE) if not check.ok}
    assert "retrieval.hit_at_5" in failed

    # The command line gate exits non-zero on the broken summary and zero on the good one.
    gate_file = tmp_path / "broken.json"
    gate_file.write_text(json.dumps(broken))
    assert evals_main(["gate", "--summary", str(gate_file)]) == 1
    good_file = tmp_path / "good.json"
    good_full = {**good, "follow_up": {**good["follow_up"], "gap_points": 0.0}}
    good_file.write_text(json.dumps(good_full))
    passing = all(c.ok for c in check_gate(good_full, load_gate()))
    assert evals_main(["gate", "--summary", str(good_file)]) == (0 if passing else 1)


@pytest.mark.slow
def test_report_puts_failures_first_and_shows_baselines(tiny_pipeline: AnswerPipeline) -> None:
    items = load_items(TINY_SET)
    results = run_items(items, pipeline_system(tiny_pipeline))
    summary = summarise(results)
    summary["baselines"] = {
        "dense": summarise(run_items(items, langchain_dense_system(tiny_pipeline)))
    }
    results[0]["passed"], results[0]["failures"] = False, ["missing: something"]
    page = render_report(summary, results, "Tiny")
    failing = sum(not r["passed"] for r in results)
    assert page.index(f"Failing items ({failing})") < page.index(
        f"Passing items ({len(results) - failing})"
    )
    assert page.index("missing: something") < page.index("Passing items")
    assert page.count("data:image/png;base64,") == 3
    assert "dense" in page and "<script" not in page


@pytest.mark.slow
def test_beir_layout_evaluation(tmp_path: Path) -> None:
    data = tmp_path / "beir"
    (data / "qrels").mkdir(parents=True)
    docs = {
        "d1": "The council must decide whether to assess within six weeks.",
        "d2": "Short breaks give disabled children activities and parents a rest.",
        "d3": "Family hubs offer parenting classes and infant feeding support.",
        "d4": "A mediation certificate is needed before most tribunal appeals.",
    }
    (data / "corpus.jsonl").write_text(
        "\n".join(json.dumps({"_id": k, "title": "", "text": v}) for k, v in docs.items())
    )
    queries = {
        "q1": "how long to decide on an assessment",
        "q2": "where can I get infant feeding help",
        "q3": "what do I need before appealing to the tribunal",
    }
    (data / "queries.jsonl").write_text(
        "\n".join(json.dumps({"_id": k, "text": v}) for k, v in queries.items())
    )
    (data / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td3\t1\nq3\td4\t1\n"
    )
    from assistant.config import Settings
    from evals.beir import evaluate_beir

    scores = evaluate_beir(data, Settings())
    assert scores["queries"] == 3
    assert scores["ndcg_at_10"] == pytest.approx(1.0) and scores["mrr_at_10"] == pytest.approx(1.0)
    assert scores["recall_at_100"] == 1.0
    assert evals_main(["beir", "--data", str(tmp_path / "missing")]) == 2


@pytest.mark.slow
def test_coverage_maps_facts_to_the_passages_that_carry_them(tiny_pipeline: AnswerPipeline) -> None:
    from evals.coverage import map_facts, parse_facts

    facts = parse_facts(
        "### Time limits\n"
        "- [NATIONAL] The council has 6 weeks to decide whether to assess. https://x.gov.uk\n"
        "- [NATIONAL] The council has 9 weeks to decide whether to assess. https://x.gov.uk\n"
        "- [STOKE] Aiming High offers 2 sessions a month, 24 a year. https://y.gov.uk\n"
        "## Gaps\n- [STOKE] Ignored because it sits in the Gaps section.\n"
    )
    chunks = tiny_pipeline.lexical.chunks
    stored = tiny_pipeline.store.vectors([c.chunk_id for c in chunks])
    vectors = tiny_pipeline.vectors.many([f.claim for f in facts])
    map_facts(facts, chunks, np.vstack([stored[c.chunk_id] for c in chunks]), vectors)
    assert len(facts) == 3
    assert facts[0].covered_by[0] == "assessment-time-limits"
    assert facts[1].covered_by == []  # the wrong figure is not carried
    assert facts[2].covered_by == ["short-breaks"]


@pytest.mark.slow
def test_gate_on_the_full_set(shipped_pipeline: AnswerPipeline) -> None:
    """The CI regression gate: the project's full evaluation set against evals/gate.yaml."""
    config = load_gate()
    items = load_items(PROJECT_ROOT / config["set"])
    summary = summarise(run_items(items, pipeline_system(shipped_pipeline)))
    checks = check_gate(summary, config)
    assert all(check.ok for check in checks), "\n".join(check.line() for check in checks)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "documents"),
    [
        (
            "How long does the council have to decide whether to do an EHC needs assessment?",
            {"ch09-assessment-timescales"},
        ),
        (
            "What is the overall time limit from asking for an assessment to getting the final EHC plan?",
            {"ch09-assessment-timescales", "ehc-assessment-timeline-stoke"},
        ),
        ("How do I request an EHC needs assessment in Stoke?", {"senmas-requesting-an-assessment"}),
        ("What does SENDIASS do?", {"sendiass-stoke", "ch02-information-advice-support"}),
        ("What does a family hub offer?", {"stoke-family-hubs", "family-hubs-national-programme"}),
        (
            "How do I appeal to the tribunal, and do I need a mediation certificate?",
            {"ch11-tribunal-appeals", "ch11-mediation"},
        ),
        ("What sections does an EHC plan have?", {"ch09-ehc-plan-sections"}),
        (
            "When do annual reviews have to happen?",
            {"ch09-annual-reviews", "annual-reviews-and-phase-transfers-stoke"},
        ),
        ("Is there transport for post-16 students?", {"school-and-post-16-transport"}),
        ("What are Aiming High short breaks?", {"short-breaks-aiming-high"}),
    ],
)
def test_shipped_corpus_answers_the_questions_parents_ask(
    shipped_pipeline: AnswerPipeline, question: str, documents: set[str]
) -> None:
    answer = shipped_pipeline.answer(question)
    assert answer.kind == "answered"
    assert {c.doc_id for c in answer.citations} & documents, [c.doc_id for c in answer.citations]
    if "6 weeks" in question or "decide whether to do" in question:
        assert "6 weeks" in answer.reply
