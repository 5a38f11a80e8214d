"""Each message's texts are embedded up front, in one model call (two for a long message with
short clauses), and the answers are the same as when every step embeds its own texts (the plain
path); our own embedding code gives sentence-transformers' vectors to the bit."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.embeddings import Embeddings

from assistant.answering.answer import Answer, Kind
from assistant.answering.lookalikes import fold_for_safety
from assistant.answering.safeguarding import (
    POSSIBLE_AT,
    URGENT_AT,
    SafeguardingCheck,
    SafeguardingResult,
    decide,
    pattern_match,
    urgent_pattern_match,
)
from assistant.answering.safety_model import TierModel, clauses
from assistant.corpus.embeddings import SentenceVectors, length_groups
from assistant.corpus.index import ChunkStore
from assistant.pipeline import AnswerPipeline

FOLLOWED = [
    {"role": "user", "content": "How do I ask for an EHC needs assessment in Stoke?"},
    {
        "role": "assistant",
        "content": "Requests go to SENMAS. The council has 6 weeks to decide whether to assess.",
    },
]
# One message of each kind the answer path treats differently, with its history.
MESSAGES: list[tuple[str, list[dict[str, str]]]] = [
    ("How long does the council have to decide whether to assess?", []),
    ("who can help me understand the draft plan", []),
    (
        "My son is 9 and has autism, school say they can't meet his needs and I'm exhausted. "
        "How do I ask for an EHC needs assessment?",
        [],
    ),
    (
        "How long does the council have to decide whether to assess for an EHCP? "
        "Who can help me understand the draft plan?",
        [],
    ),
    ("how long does that take?", FOLLOWED),
    ("I'm scared my partner will hurt my son tonight, what do I do?", []),
    ("Czy mogę dostać pomoc w szkole dla mojego syna?", []),
    ("What's the weather going to be like in Spain next week?", []),
]


class CountingEmbeddings(Embeddings):
    """The real model, recording the texts of each call (one call embeds one batch)."""

    def __init__(self, model: Embeddings) -> None:
        self.model = model
        self.batches: list[list[str]] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.batches.append(list(texts))
        return self.model.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self.batches.append([text])
        return self.model.embed_query(text)

    def assert_embedded_once_up_front(self) -> None:
        """Each text embedded once, and the calls are exactly the length groups of all of them
        (what `SentenceVectors.prepare` makes): no step embedded anything on its own later."""
        texts = [text for batch in self.batches for text in batch]
        assert len(set(texts)) == len(texts), self.batches
        assert sorted(self.batches) == sorted(length_groups(texts)), self.batches


@pytest.fixture
def counted(
    tiny_pipeline: AnswerPipeline, embeddings: Embeddings
) -> Iterator[tuple[AnswerPipeline, CountingEmbeddings]]:
    """A pipeline over the tiny corpus (indexed by `tiny_pipeline`) counting its model calls."""
    counting = CountingEmbeddings(embeddings)
    settings = tiny_pipeline.settings
    yield AnswerPipeline(settings, counting, ChunkStore(settings, counting)), counting


def _shown(answer: Answer) -> dict[str, Any]:
    """Everything a parent sees or the logs keep of an answer (the timings aside)."""
    fields = dataclasses.asdict(answer)
    fields["debug"] = {k: v for k, v in fields["debug"].items() if k != "timings_ms"}
    return fields


@pytest.mark.parametrize(("message", "history"), MESSAGES)
def test_answers_are_the_same_as_on_the_plain_path(
    counted: tuple[AnswerPipeline, CountingEmbeddings],
    message: str,
    history: list[dict[str, str]],
) -> None:
    pipeline, _ = counted
    pipeline.embed_together = False
    plain = pipeline.answer(message, history)
    pipeline.embed_together = True
    together = pipeline.answer(message, history)
    assert _shown(together) == _shown(plain)


@pytest.mark.parametrize(("message", "history"), MESSAGES)
def test_an_answer_embeds_its_texts_once_up_front(
    counted: tuple[AnswerPipeline, CountingEmbeddings],
    message: str,
    history: list[dict[str, str]],
) -> None:
    pipeline, counting = counted
    counting.batches = []
    pipeline.answer(message, history)
    counting.assert_embedded_once_up_front()
    if len(message) < 100:
        assert len(counting.batches) == 1  # a short message: one model call


def test_the_kinds_covered_are_the_ones_that_take_different_paths(
    counted: tuple[AnswerPipeline, CountingEmbeddings],
) -> None:
    pipeline, _ = counted
    kinds = {pipeline.answer(message, history).kind for message, history in MESSAGES}
    assert {Kind.ANSWERED, Kind.SAFEGUARDING, Kind.OUT_OF_SCOPE} <= kinds


def test_a_long_message_is_embedded_in_batches_of_similar_length(
    counted: tuple[AnswerPipeline, CountingEmbeddings],
) -> None:
    pipeline, counting = counted
    story = (
        "My daughter is eight and has been out of school since October because the school says "
        "they cannot meet her needs, and she is anxious every morning, and we have tried "
        "everything the SENCO suggested, and her younger brother is struggling too. "
    ) * 3 + "How do I ask for an EHC needs assessment?"
    counting.batches = []
    together = pipeline.answer(story)
    counting.assert_embedded_once_up_front()
    # The long texts (the message, its search text) in one batch, the short clauses in others:
    # no clause is padded to the whole message's length.
    longest = max(counting.batches, key=lambda batch: max(map(len, batch)))
    assert len(counting.batches) >= 2
    assert min(map(len, longest)) > max(map(len, longest)) / 2, counting.batches
    pipeline.embed_together = False
    assert _shown(pipeline.answer(story)) == _shown(together)


# The safeguarding check skips a clause only where its words alone keep it under its threshold.
SAFETY_MESSAGES = [
    # Ordinary clauses: none can reach a threshold, so only the whole message is embedded.
    "The SENCO keeps mentioning 'the graduated approach', and the head says it is the law, "
    "and I don't know who to believe. What is it?",
    # A disclosure in one clause of a long question about school.
    "We moved here in the summer and the new school is lovely, but his dad has started hitting "
    "him when he drinks and I don't know what to do. Can he still get an EHCP?",
    # A risk pattern: every clause is scored.
    "He is struggling at school, and he said he wants to kill himself. Who can help?",
    "I'm scared my partner will hurt my son tonight, what do I do?",
]


def _every_text(message: str) -> list[str]:
    """The folded message and all its clauses."""
    folded = fold_for_safety(message)
    return [folded, *clauses(folded)]


def _scored_in_full(vectors: SentenceVectors, message: str) -> SafeguardingResult:
    """The check scoring the whole message and every clause by meaning and by words."""
    texts = _every_text(message)
    folded = texts[0]
    scores = TierModel.saved().probabilities(texts, vectors.many(texts))
    urgent = urgent_pattern_match(folded)
    matched = urgent or pattern_match(folded)
    return decide(scores, matched, POSSIBLE_AT, URGENT_AT, urgent is not None)


@pytest.fixture(scope="module")
def safety_check(embeddings: Embeddings) -> SafeguardingCheck:
    """The safeguarding check over the real model and the shipped tier model."""
    return SafeguardingCheck(SentenceVectors(embeddings))


@pytest.mark.parametrize("message", SAFETY_MESSAGES)
def test_safeguarding_gives_the_tier_and_reason_of_scoring_every_clause(
    safety_check: SafeguardingCheck, embeddings: Embeddings, message: str
) -> None:
    full = _scored_in_full(SentenceVectors(embeddings), message)
    result = safety_check.check(message)
    assert (result.tier, result.reason) == (full.tier, full.reason)


def test_safeguarding_embeds_only_the_clauses_that_could_reach_a_threshold(
    safety_check: SafeguardingCheck,
) -> None:
    ordinary, disclosure, pattern, _ = SAFETY_MESSAGES
    assert safety_check.texts(ordinary) == [fold_for_safety(ordinary)]
    assert len(_every_text(ordinary)) >= 3
    kept = safety_check.texts(disclosure)
    assert any("hitting" in clause for clause in kept[1:]), kept
    assert len(kept) < len(_every_text(disclosure))
    assert safety_check.texts(pattern) == _every_text(pattern)
    assert safety_check.check(disclosure).tier != "none"
