"""The answer path, in order: guard the input, check safeguarding, understand the question,
check scope, retrieve, rerank, compose, verify citations, respond.

Each step is a small module with typed inputs and outputs; this file only wires them together.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Sequence

from langchain_core.embeddings import Embeddings

from assistant.answer import Answer, Statement
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
from assistant.retrieval import HybridRetriever, hybrid_search
from assistant.safeguarding import SafeguardingCheck
from assistant.scope import ScopeCheck
from assistant.understand import understand
from assistant.verify import verify_citations

History = Sequence[dict[str, str]]
# How many fused candidates the reranker sees.
CANDIDATE_POOL = 12


class AnswerPipeline:
    """Holds the loaded model, indexes and checks, and answers one question at a time."""

    def __init__(self, settings: Settings, embeddings: Embeddings, store: ChunkStore) -> None:
        self.settings = settings
        self.store = store
        self.vectors = SentenceVectors(embeddings)
        self.glossary = Glossary.from_corpus(settings.corpus_dir)
        self.safeguarding = SafeguardingCheck(self.vectors)
        self.scope = ScopeCheck(self.vectors)
        self.lexical = LexicalIndex(store.all_chunks())

    @classmethod
    def load(
        cls, settings: Settings | None = None, progress: Callable[[str], None] = print
    ) -> AnswerPipeline:
        """Load the model and index; build the index from corpus/ first if it is empty."""
        settings = settings or get_settings()
        embeddings = load_embeddings(settings)
        store = ChunkStore(settings, embeddings)
        if store.count() == 0:
            progress("The index is empty: building it from the corpus (first run only).")
            report = ingest_corpus(settings, store, progress)
            progress(report.summary())
            if not report.ok:
                raise RuntimeError(f"Nothing could be indexed from {settings.corpus_dir}.")
        return cls(settings, embeddings, store)

    def refresh(self) -> None:
        """Rebuild the lexical index after the store changed (e.g. after an ingest)."""
        self.lexical = LexicalIndex(self.store.all_chunks())

    def as_retriever(self, k: int | None = None) -> HybridRetriever:
        """The hybrid search as a LangChain retriever."""
        return HybridRetriever(
            store=self.store,
            lexical=self.lexical,
            vectors=self.vectors,
            settings=self.settings,
            k=k or self.settings.final_k,
        )

    def chunk_of(self, doc_id: str) -> Chunk | None:
        """The opening chunk of a document, for citing canned replies."""
        chunks = [c for c in self.lexical.chunks if c.doc_id == doc_id]
        return min(chunks, key=lambda c: c.position) if chunks else None

    def find_evidence(self, query: str, must_contain: str) -> Chunk | None:
        """The best passage for a rule that states the given figure (e.g. '6 weeks')."""
        figure = re.compile(rf"(?<![\w.]){re.escape(must_contain)}(?![\w.])", re.IGNORECASE)
        for scored in self.lexical.search(query, 20):
            if figure.search(scored.chunk.body):
                return scored.chunk
        return None

    def answer(self, question: str | None, history: History = ()) -> Answer:
        """Answer one message, given the earlier turns of the conversation."""
        started = time.perf_counter()
        timings: dict[str, float] = {}

        def lap(step: str, since: float) -> float:
            now = time.perf_counter()
            timings[step] = round((now - since) * 1000, 1)
            return now

        settings = self.settings
        guarded = guard_input(question, settings.max_question_chars)
        if guarded.is_empty:
            return canned("empty_question", "")
        notes = []
        if guarded.was_trimmed:
            notes.append(
                replies()["trimmed"]["note"].format(limit=f"{settings.max_question_chars:,}")
            )
        mark = lap("guard", started)

        query_vector = self.vectors.query(guarded.text)
        alert = self.safeguarding.check(guarded.text, query_vector)
        mark = lap("safeguarding", mark)
        if alert.flagged:
            reply = canned("safeguarding", guarded.text, self.chunk_of(_doc("safeguarding")))
            reply.debug = {"safeguarding": alert.reason, "timings_ms": timings}
            return reply

        query = understand(guarded.text, history, self.glossary, settings.max_history_turns)
        search_vector = (
            query_vector
            if query.search_text == guarded.text
            else self.vectors.query(query.search_text)
        )
        mark = lap("understand", mark)

        scope = self.scope.check(query.standalone, search_vector)
        mark = lap("scope", mark)
        if not scope.in_scope:
            redirect = replies()["out_of_scope"]["redirects"][scope.category]
            reply = canned(
                "out_of_scope", guarded.text, self.chunk_of(_doc("out_of_scope")), redirect=redirect
            )
            reply.standalone_question = query.standalone
            reply.debug = {"scope": scope.reason, "timings_ms": timings}
            return reply

        candidates = hybrid_search(
            self.store, self.lexical, settings, query.search_text, search_vector, CANDIDATE_POOL
        )
        mark = lap("retrieve", mark)
        ranked = rerank(
            candidates, query.search_text, search_vector, self.store, query.asks_definition
        )
        mark = lap("rerank", mark)
        debug = {
            "standalone_question": query.standalone,
            "search_text": query.search_text,
            "follow_up": query.is_follow_up,
            "scope": scope.reason or "mentions SEND",
            "retrieved": [
                {"doc_id": c.chunk.doc_id, "section": c.chunk.section, "score": round(c.score, 3)}
                for c in ranked[: settings.final_k]
            ],
            "timings_ms": timings,
        }
        deadlines = plan_deadlines(
            guarded.text, settings.today or dt.date.today(), self.find_evidence
        )
        if (not ranked or ranked[0].score < settings.not_found_threshold) and deadlines is None:
            reply = canned("not_found", guarded.text, self.chunk_of(_doc("not_found")))
            reply.standalone_question = query.standalone
            reply.notes = notes
            reply.debug = debug
            return reply

        draft = compose_answer(query.search_text, search_vector, ranked, self.vectors, settings)
        mark = lap("compose", mark)
        verified = verify_citations(draft)
        mark = lap("verify", mark)
        reply = answered(verified.kept, guarded.text, query.standalone)
        if deadlines is not None:
            _add_deadlines(reply, deadlines)
        if query.other_area:
            notes.insert(0, replies()["other_area"]["note"].format(area=query.other_area))
        reply.notes = notes
        reply.words_used = self.glossary.words_used(reply.body)
        debug["dropped_sentences"] = [s.text for s in verified.dropped]
        reply.debug = debug
        lap("respond", mark)
        timings["total"] = round((time.perf_counter() - started) * 1000, 1)
        return reply


def _doc(status: str) -> str:
    """The corpus document a canned reply cites (named in replies.yaml)."""
    return str(replies()[status]["cite"])


def _add_deadlines(reply: Answer, plan: DeadlinePlan) -> None:
    """Append the computed dates to an answer, each cited to the passage stating its rule."""
    numbers = {c.chunk_id: c.n for c in reply.citations}
    for text, chunk in plan.statements():
        number = None
        if chunk is not None:
            if chunk.chunk_id not in numbers:
                numbers[chunk.chunk_id] = len(reply.citations) + 1
                reply.citations.append(citation_for(numbers[chunk.chunk_id], chunk, []))
            number = numbers[chunk.chunk_id]
        reply.extras.append(Statement(text=text, citation=number))
    if not reply.statements:
        reply.status = "deadlines"
