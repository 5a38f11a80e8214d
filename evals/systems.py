"""The systems an evaluation compares: our pipeline, and the baselines a developer might copy."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.pipeline import AnswerPipeline
from assistant.text import split_sentences
from evals.dataset import EvalItem
from evals.metrics import KIND_TO_BEHAVIOUR


@dataclass
class Output:
    """What a system produced for one item, in the shape the scorer needs."""

    kind: str
    text: str  # what the parent reads, without the Sources list (titles must not pass checks)
    ranked_docs: list[str]
    sentences: list[tuple[str, int | None, str]] = field(default_factory=list)
    citations: list[dict[str, object]] = field(default_factory=list)
    standalone_question: str = ""
    seconds: float = 0.0
    debug: dict[str, object] = field(default_factory=dict)

    @property
    def behaviour(self) -> str:
        """answer / decline / urgent_signpost."""
        return KIND_TO_BEHAVIOUR.get(self.kind, "answer")


System = Callable[[EvalItem], Output]


def pipeline_system(pipeline: AnswerPipeline) -> System:
    """Our answer path, exactly as the chat and the CLI call it (history included)."""

    def run(item: EvalItem) -> Output:
        started = time.perf_counter()
        answer = pipeline.answer(item.question, list(item.history))
        seconds = time.perf_counter() - started
        passages = {c.n: c.passage for c in answer.citations}
        sentences = [
            (s.checked_text, s.citation, passages.get(s.citation or 0, ""))
            for s in [*answer.statements, *answer.extras]
        ]
        return Output(
            kind=str(answer.kind),
            text=answer.reply,
            ranked_docs=list(answer.debug.get("ranked_docs", [])),
            sentences=sentences,
            citations=[
                {"n": c.n, "doc_id": c.doc_id, "title": c.title, "section": c.section, "url": c.url}
                for c in answer.citations
            ],
            standalone_question=answer.standalone_question,
            seconds=seconds,
            debug={k: v for k, v in answer.debug.items() if k != "retrieved"},
        )

    return run


def _stuffed(found: list[tuple[str, str]], seconds: float) -> Output:
    """A no-LLM recipe's answer: the retrieved passages, each cited to itself."""
    sentences: list[tuple[str, int | None, str]] = [
        (sentence, n, body)
        for n, (_doc, body) in enumerate(found, start=1)
        for sentence in split_sentences(body.replace("\n\n", " "))
    ]
    return Output(
        kind="answered",
        text="\n\n".join(body for _doc, body in found),
        ranked_docs=list(dict.fromkeys(doc for doc, _ in found)),
        sentences=sentences,
        seconds=seconds,
    )


def langchain_dense_system(pipeline: AnswerPipeline, k: int = 4) -> System:
    """The plain LangChain recipe: Chroma similarity top-4, no fusion, reranking or guards."""
    retriever = pipeline.store.vectorstore.as_retriever(search_kwargs={"k": k})

    def run(item: EvalItem) -> Output:
        started = time.perf_counter()
        documents = retriever.invoke(item.question)
        found = [(str(d.metadata["doc_id"]), str(d.metadata["body"])) for d in documents]
        return _stuffed(found, time.perf_counter() - started)

    return run


def bm25_system(pipeline: AnswerPipeline, k: int = 4) -> System:
    """BM25 alone over the same chunks, top 4."""

    def run(item: EvalItem) -> Output:
        started = time.perf_counter()
        found = [(s.chunk.doc_id, s.chunk.body) for s in pipeline.lexical.search(item.question, k)]
        return _stuffed(found, time.perf_counter() - started)

    return run
