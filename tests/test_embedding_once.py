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
from assistant.corpus.embeddings import length_groups
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
