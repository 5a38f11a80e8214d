"""The answer path, in order: guard the input, check safeguarding, understand the question,
check scope, retrieve, rerank, compose, verify citations, respond.

Each step is a small module with typed inputs and outputs; this file only wires them together.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.answer import Answer, Statement
from assistant.answerable import CorpusVocabulary
from assistant.chunking import Chunk
from assistant.compose import compose_answer
from assistant.config import Settings, get_settings
from assistant.deadlines import DeadlinePlan, plan_deadlines
from assistant.embeddings import SentenceVectors, load_embeddings
from assistant.glossary import Glossary
from assistant.guard import guard_input
from assistant.index import ChunkStore, LexicalIndex
from assistant.ingest import ingest_corpus
from assistant.rerank import rerank
from assistant.respond import answered, canned, citation_for, replies
from assistant.retrieval import Candidate, HybridRetriever, hybrid_search
from assistant.safeguarding import SafeguardingCheck
from assistant.scope import ScopeCheck
from assistant.understand import Query, understand
from assistant.verify import support_score, verify_citations

History = Sequence[dict[str, str]]
# How many fused candidates the reranker sees.
CANDIDATE_POOL = 12


class AnswerPipeline:
    """Holds the loaded model, indexes and checks, and answers one question at a time."""

    def __init__(self, settings: Settings, embeddings: Embeddings, store: ChunkStore) -> None:
        self.settings = settings
        self.store = store
        self.embeddings = embeddings
        self.vectors = SentenceVectors(embeddings)
        self.glossary = Glossary.from_corpus(settings.corpus_dir)
        self.safeguarding = SafeguardingCheck(self.vectors)
        self.scope = ScopeCheck(self.vectors, self.glossary)
        self.refresh()

    @classmethod
    def load(
        cls, settings: Settings | None = None, progress: Callable[[str], None] = print
    ) -> AnswerPipeline:
        """Load the model and index, first bringing the index in line with corpus/.

        An empty index is built from scratch (with progress shown); otherwise only new or
        changed documents are embedded, which takes about a second when nothing changed.
        """
        settings = settings or get_settings()
        embeddings = load_embeddings(settings)
        store = ChunkStore(settings, embeddings)
        empty = store.count() == 0
        if empty:
            progress("The index is empty: building it from the corpus (first run only).")
        report = ingest_corpus(settings, store, progress if empty else lambda _m: None)
        if empty or report.chunks_added or report.chunks_removed or report.skipped:
            progress(report.summary())
        if store.count() == 0:
            raise RuntimeError(f"Nothing could be indexed from {settings.corpus_dir}.")
        return cls(settings, embeddings, store)

    def search(self, text: str, vector: np.ndarray) -> list[Candidate]:
        """The retrieval step (a seam: evaluations swap in baselines or broken retrievers)."""
        return hybrid_search(self.store, self.lexical, self.settings, text, vector, CANDIDATE_POOL)

    def refresh(self) -> None:
        """Rebuild what is derived from the stored chunks (after an ingest, for example)."""
        chunks = self.store.all_chunks()
        self.lexical = LexicalIndex(chunks)
        self.vocabulary = CorpusVocabulary(chunks, self.glossary)

    def as_retriever(self, k: int | None = None) -> HybridRetriever:
        """The hybrid search as a LangChain retriever."""
        return HybridRetriever(
            store=self.store,
            lexical=self.lexical,
            vectors=self.vectors,
            settings=self.settings,
            k=k or self.settings.final_k,
        )

    def passages_of(self, status: str) -> list[Chunk]:
        """The passages of the corpus documents a canned reply cites (listed in replies.yaml)."""
        doc_ids = set(replies()[status]["cite"])
        return [c for c in self.lexical.chunks if c.doc_id in doc_ids]

    def find_evidence(self, query: str, must_contain: str, claim: str) -> Chunk | None:
        """The passage that best supports a rule's claim and states its figure (e.g. '6 weeks')."""
        figure = re.compile(rf"(?<![\w.]){re.escape(must_contain)}(?![\w.])", re.IGNORECASE)
        found = [s.chunk for s in self.lexical.search(query, 20) if figure.search(s.chunk.body)]
        return max(found, key=lambda chunk: support_score(claim, chunk.body), default=None)

    def answer(self, question: str | None, history: History = ()) -> Answer:
        """Answer one message, given the earlier turns of the conversation."""
        timer = StepTimer()
        settings = self.settings

        # 1. Guard the input: plain text, bounded length.
        guarded = guard_input(question, settings.max_question_chars)
        if guarded.is_empty:
            return canned("empty_question", "")
        notes = []
        if guarded.was_trimmed:
            limit = f"{settings.max_question_chars:,}"
            notes.append(replies()["trimmed"]["note"].format(limit=limit))
        timer.lap("guard")

        # 2. Safeguarding, before anything else.
        query_vector = self.vectors.query(guarded.text)
        alert = self.safeguarding.check(guarded.text, query_vector)
        timer.lap("safeguarding")
        if alert.flagged:
            reply = canned("safeguarding", guarded.text, self.passages_of("safeguarding"))
            reply.debug = {"safeguarding": alert.reason, "timings_ms": timer.laps}
            return reply

        # 3. Understand: standalone follow-ups, jargon expanded, other areas noticed.
        query = understand(guarded.text, history, self.glossary, settings.max_history_turns)
        search_vector = (
            query_vector
            if query.search_text == guarded.text
            else self.vectors.query(query.search_text)
        )
        timer.lap("understand")

        # 4. Scope.
        scope = self.scope.check(query.standalone, search_vector)
        timer.lap("scope")
        if not scope.in_scope:
            redirect = replies()["out_of_scope"]["redirects"][scope.category]
            reply = canned(
                "out_of_scope", guarded.text, self.passages_of("out_of_scope"), redirect=redirect
            )
            reply.standalone_question = query.standalone
            reply.debug = {"scope": scope.reason, "timings_ms": timer.laps}
            return reply

        # 5-6. Retrieve and rerank.
        candidates = self.search(query.search_text, search_vector)
        timer.lap("retrieve")
        ranked = rerank(
            candidates, query.search_text, search_vector, self.store, query.asks_definition
        )
        timer.lap("rerank")
        deadlines = plan_deadlines(
            guarded.text, settings.today or dt.date.today(), self.find_evidence
        )
        debug = _debug(query, scope.reason or "mentions SEND", ranked, settings.final_k)
        debug["timings_ms"] = timer.laps
        gap = self.coverage_gap(query.standalone, ranked) if deadlines is None else None
        if gap is not None:
            reply = canned("not_found", guarded.text, self.passages_of("not_found"))
            reply.standalone_question = query.standalone
            reply.notes = [*notes, *([gap] if gap else [])]
            reply.debug = debug
            return reply

        # 7-8. Compose from the passages, then verify every citation.
        draft = compose_answer(query.search_text, search_vector, ranked, self.vectors, settings)
        timer.lap("compose")
        verified = verify_citations(draft)
        timer.lap("verify")

        # 9. Respond.
        reply = answered(verified.kept, guarded.text, query.standalone)
        if deadlines is not None:
            _add_deadlines(reply, deadlines)
        if query.other_area:
            notes.insert(0, replies()["other_area"]["note"].format(area=query.other_area))
        reply.notes = notes
        reply.words_used = self.glossary.words_used(reply.body)
        debug["dropped_sentences"] = [s.text for s in verified.dropped]
        reply.debug = debug
        timer.lap("respond")
        return reply

    def coverage_gap(self, question: str, ranked: list[Candidate]) -> str | None:
        """Why the guidance here cannot answer ('' if only retrieval is weak); None if it can."""
        missing = self.vocabulary.missing_paragraphs(question)
        if missing:
            return replies()["not_found"]["missing_paragraph"].format(paragraph=missing[0])
        unknown = self.vocabulary.unknown_names(question)
        if unknown and (not ranked or ranked[0].score < self.settings.unknown_name_threshold):
            return replies()["not_found"]["unknown_name"].format(name=unknown[0])
        if not ranked or ranked[0].score < self.settings.not_found_threshold:
            return ""
        return None


class StepTimer:
    """Milliseconds spent in each pipeline step, for the debug output."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._mark = time.perf_counter()
        self._start = self._mark

    def lap(self, step: str) -> None:
        """Record the time since the previous lap under this step's name."""
        now = time.perf_counter()
        self.laps[step] = round((now - self._mark) * 1000, 1)
        self.laps["total"] = round((now - self._start) * 1000, 1)
        self._mark = now


def _debug(query: Query, scope: str, ranked: list[Candidate], top: int) -> dict[str, Any]:
    return {
        "standalone_question": query.standalone,
        "search_text": query.search_text,
        "follow_up": query.is_follow_up,
        "scope": scope,
        "retrieved": [
            {"doc_id": c.chunk.doc_id, "section": c.chunk.section, "score": round(c.score, 3)}
            for c in ranked[:top]
        ],
        "ranked_docs": list(dict.fromkeys(c.chunk.doc_id for c in ranked)),
    }


def _add_deadlines(reply: Answer, plan: DeadlinePlan) -> None:
    """Append the computed dates to an answer, each cited to the passage stating its rule."""
    numbers = {c.chunk_id: c.n for c in reply.citations}
    for text, claim, chunk in plan.statements():
        number = None
        if chunk is not None:
            if chunk.chunk_id not in numbers:
                numbers[chunk.chunk_id] = len(reply.citations) + 1
                reply.citations.append(citation_for(numbers[chunk.chunk_id], chunk, []))
            number = numbers[chunk.chunk_id]
        reply.extras.append(Statement(text=text, citation=number, claim=claim))
    if not reply.statements:
        reply.status = "deadlines"
