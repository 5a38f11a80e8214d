"""Hybrid retrieval over the tiny corpus: the right document comes back for real questions."""

from __future__ import annotations

import pytest

from assistant.answering.retrieval import (
    Candidate,
    diversify,
    hybrid_search,
    reciprocal_rank_fusion,
)
from assistant.corpus.chunking import Chunk
from assistant.corpus.index import ScoredChunk
from assistant.pipeline import AnswerPipeline


def chunk(chunk_id: str, doc_id: str, body: str = "text") -> Chunk:
    return Chunk(
        chunk_id,
        doc_id,
        body + chunk_id,
        (),
        "t",
        "https://x.gov.uk",
        "p",
        "local_offer",
        "2026-11-25",
    )


def test_rrf_rewards_agreement_between_rankings() -> None:
    a, b, c = chunk("a", "d1"), chunk("b", "d2"), chunk("c", "d3")
    fused = reciprocal_rank_fusion(
        [[ScoredChunk(a, 0.9), ScoredChunk(b, 0.8)], [ScoredChunk(b, 5.0), ScoredChunk(c, 4.0)]],
        k=60,
    )
    order = sorted(fused, key=lambda cid: fused[cid][1], reverse=True)
    assert order[0] == "b"  # second in one list and first in the other beats first in only one
    assert fused["b"][2] == [2, 1]


def test_diversify_caps_chunks_per_document_and_drops_duplicates() -> None:
    same = [Candidate(chunk(f"{i}", "one-doc"), 1.0 - i / 10) for i in range(5)]
    duplicate = Candidate(Chunk("x", "other", same[0].chunk.body, (), "t", "u", "p", "c", "d"), 0.1)
    kept = diversify([*same, duplicate, Candidate(chunk("z", "third"), 0.05)], per_doc=2, limit=6)
    assert [c.chunk.chunk_id for c in kept] == ["0", "1", "z"]


@pytest.mark.parametrize(
    ("question", "doc_id"),
    [
        (
            "How long does the council have to decide whether to assess my child?",
            "assessment-time-limits",
        ),
        ("what is the SENMAS phone number", "senmas-requests"),
        ("how many aiming high sessions a month", "short-breaks"),
        ("do I need a mediation certificate before the tribunal", "tribunal-appeals"),
        ("what can I get at a family hub", "family-hubs"),
    ],
)
def test_hybrid_search_finds_the_right_document(
    tiny_pipeline: AnswerPipeline, question: str, doc_id: str
) -> None:
    vector = tiny_pipeline.vectors.query(question)
    found = hybrid_search(
        tiny_pipeline.store, tiny_pipeline.lexical, tiny_pipeline.settings, question, vector, 5
    )
    assert found[0].chunk.doc_id == doc_id


def test_retriever_is_a_langchain_retriever(tiny_pipeline: AnswerPipeline) -> None:
    retriever = tiny_pipeline.as_retriever(k=3)
    documents = retriever.invoke("When must the final EHC plan be issued?")
    assert 0 < len(documents) <= 3
    assert documents[0].metadata["doc_id"] == "assessment-time-limits"
    assert "20 weeks" in documents[0].page_content


def test_every_candidate_is_weighed_by_its_own_nearest_question(
    tiny_pipeline: AnswerPipeline,
) -> None:
    # The nearest-question search returns only its top k; a passage outside it must still be
    # weighed by its own questions, not counted as matching none (it then ranked below passages
    # that merely shared the story's words).
    store = tiny_pipeline.store
    vector = tiny_pipeline.vectors.query("How long does the council have to issue an EHC plan?")
    every = dict(store.search_questions(vector, 10_000))
    top_one = dict(store.search_questions(vector, 1))
    exact = store.question_similarities(vector, [c.chunk_id for c in store.all_chunks()])
    assert exact.keys() == every.keys() and len(exact) > len(top_one)
    assert all(exact[c] == pytest.approx(every[c], abs=1e-4) for c in every)

    settings = tiny_pipeline.settings.model_copy(update={"question_k": 1})
    found = hybrid_search(
        store, tiny_pipeline.lexical, settings, "issue an EHC plan", vector, limit=10
    )
    outside = [c for c in found if c.chunk.chunk_id not in top_one and c.chunk.chunk_id in every]
    assert outside and all(
        c.question_similarity == pytest.approx(every[c.chunk.chunk_id], abs=1e-4) for c in outside
    )
