"""The answer path, in order: guard the input, understand the question, embed every text the
answer needs (in one model call), check safeguarding (urgent contacts alone, or a box of who to
call above the answer), check scope, retrieve, rerank, compose, verify citations, respond.

Each step is a small module with typed inputs and outputs; this file only wires them together.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import ContextVar
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.answering.answer import Answer, Statement
from assistant.answering.answerable import CorpusVocabulary
from assistant.answering.compose import (
    MAX_ANSWER_WORDS,
    DraftSentence,
    compose_answer,
    passage_sentences,
)
from assistant.answering.deadlines import DeadlinePlan, plan_deadlines
from assistant.answering.guard import GuardedInput, guard_message
from assistant.answering.parts import (
    group_by_part,
    leans_on_story,
    on_part,
    parts_not_found,
    unanswered,
)
from assistant.answering.query_vector import (
    previous_sentences,
    search_texts,
    search_vector,
    unit,
)
from assistant.answering.rerank import rerank
from assistant.answering.respond import answered, canned, citation_for, replies, with_box
from assistant.answering.retrieval import Candidate, HybridRetriever, hybrid_search
from assistant.answering.safeguarding import POSSIBLE, URGENT, SafeguardingCheck
from assistant.answering.scope import ScopeCheck
from assistant.answering.understand import Query, content_words, council_for, understand
from assistant.answering.verify import support_score, verify_citations
from assistant.config import Settings, get_settings
from assistant.corpus.chunking import Chunk
from assistant.corpus.embeddings import (
    PendingEmbeddings,
    QueryVectors,
    SentenceVectors,
    load_embeddings,
)
from assistant.corpus.glossary import Glossary
from assistant.corpus.index import ChunkStore, LexicalIndex
from assistant.live_index import IndexSnapshot, LiveIndex
from assistant.loading import open_index

History = Sequence[dict[str, str]]
# The snapshot an answer in progress reads from, per thread (a ContextVar, so two answers on
# two threads each keep their own), with the pipeline that pinned it.
_PINNED: ContextVar[tuple[AnswerPipeline, IndexSnapshot] | None] = ContextVar(
    "pinned_index", default=None
)
# How many fused candidates the reranker sees.
CANDIDATE_POOL = 12
# Passages the parent has just been shown rank this much lower for a follow-up.
ALREADY_SHOWN_PENALTY = 0.15
# A passage sentence this close to a sentence of the previous answer counts as shown.
SHOWN_SIMILARITY = 0.8
# A message asking several things: weight of the whole message in each part's vector (to group
# the answer's sentences by part, and to search for a part the answer leaves unanswered)...
PART_STORY_WEIGHT = 0.3
# ...how many sentences such a part's own search adds...
PART_SENTENCES = 1
# ...and the words of the answer composed for the whole message, below a one-question answer's
# so that a part's own search has room (100: dev3 58.0 % of facts at 162 words; 110: 58.0 % at
# 166 words, where the plain recipe's half-length is 165).
MULTI_PART_WORDS = 100
# The next-step line quotes the corpus sentence closest to the configured one, if this close.
NEXT_STEP_MIN_SUPPORT = 0.6
# A UK phone number as the corpus writes it ("01782 234701", "0300 123 4567").
_PHONE = re.compile(r"\b0\d{2,4}[ -]?\d{3}[ -]?\d{3,4}\b")
# Whether the guidance covers a question is judged on this many of the best passages.
CONFIDENCE_DEPTH = 3
# A passage written to answer a parents' question this close to the message covers it, less this
# margin, even when a long story dilutes the passage's own similarity ("school won't make
# reasonable adjustments until he's diagnosed ... can they make us wait for a piece of paper??"
# was "not found"). 0.2 changed no behaviour on the development halves or send_eval; 0.15 let
# one send_eval question that should be "not found" through.
QUESTION_EVIDENCE_MARGIN = 0.2
# Up to this many content words, a question naming something unknown is about that thing.
SHORT_QUESTION_WORDS = 8


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _shown(candidate: Candidate, read: np.ndarray, vectors: SentenceVectors) -> bool:
    """Whether a passage's opening sentences say what the parent has just read (`read`: unit
    vectors of the previous answer's sentences)."""
    opening = passage_sentences(candidate.chunk)[:3]
    if not opening or not len(read):
        return False
    return float((vectors.many(opening) @ read.T).max()) > SHOWN_SIMILARITY


def _stoke_specific(chunk: Chunk) -> bool:
    """A passage about Stoke-on-Trent's own services, never shown as another council's."""
    return chunk.collection == "local_offer" or bool(_STOKE.search(chunk.body))


_STOKE = re.compile(r"\b(?:Stoke|SENMAS|SENDIASS Stoke)\b")


def _short(text: str, limit: int = 70) -> str:
    text = text.strip().rstrip("?")
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


class AnswerPipeline:
    """Holds the loaded model, indexes and checks, and answers one question at a time."""

    def __init__(self, settings: Settings, embeddings: Embeddings, store: ChunkStore) -> None:
        self.settings = settings
        self.embeddings = embeddings
        self.vectors = SentenceVectors(embeddings)
        self.glossary = Glossary.from_corpus(settings.corpus_dir)
        self.safeguarding = SafeguardingCheck(self.vectors)
        # Follows ingests (here or in another process) without a restart; see live_index.py.
        self.live = LiveIndex(store, self.glossary, settings.index_check_seconds)
        # Last: the first step to need the model, which may still be loading (see `load`).
        self.scope = ScopeCheck(self.vectors, self.glossary)
        self.vectors.preload(self.live.current.sentence_vectors)
        # Embed each message's texts together up front (off: each step embeds its own, the
        # plain path, kept to check that both give the same answers).
        self.embed_together = True
        self._next_step: tuple[IndexSnapshot, tuple[float, str, Chunk] | None] | None = None

    @classmethod
    def load(
        cls,
        settings: Settings | None = None,
        progress: Callable[[str], None] = print,
        model: Future[Embeddings] | None = None,
    ) -> AnswerPipeline:
        """Load the model and index, first bringing the index in line with corpus/ (see
        loading.py). The model (torch and transformers, the longest part of a start) loads on
        a thread of its own, or arrives as `model` (started earlier by the caller), while the
        index opens here; only the first text to embed waits for it."""
        settings = settings or get_settings()
        pool = None
        if model is None:
            pool = ThreadPoolExecutor(1, thread_name_prefix="model")
            model = pool.submit(load_embeddings, settings)
        embeddings = PendingEmbeddings(model)
        try:
            store = open_index(settings, embeddings, progress)
            progress("Search index open; loading the answer checks ...")
            return cls(settings, embeddings, store)
        finally:
            if pool is not None:
                pool.shutdown(wait=False)

    @property
    def index(self) -> IndexSnapshot:
        """The index generation this answer reads from: pinned for the whole of an answer (an
        ingest switching mid-answer is seen by the next one), else the latest loaded."""
        pinned = _PINNED.get()
        return pinned[1] if pinned is not None and pinned[0] is self else self.live.current

    @property
    def store(self) -> ChunkStore:
        """The vector store of the index generation read from."""
        return self.index.store

    @property
    def lexical(self) -> LexicalIndex:
        """The BM25 index of the same generation."""
        return self.index.lexical

    @property
    def vocabulary(self) -> CorpusVocabulary:
        """The corpus vocabulary of the same generation."""
        return self.index.vocabulary

    def search(self, text: str, vector: np.ndarray) -> list[Candidate]:
        """The retrieval step (a seam: evaluations swap in baselines or broken retrievers)."""
        return hybrid_search(self.store, self.lexical, self.settings, text, vector, CANDIDATE_POOL)

    def refresh(self) -> None:
        """Reload the live index generation now (after an ingest, for example)."""
        self.live.reload(force=True)
        self.vectors.preload(self.live.current.sentence_vectors)

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
        """Answer one message, given the earlier turns of the conversation, from one index
        generation throughout (the newest one live when the answer starts)."""
        current = self.live.current
        latest = self.live.latest()
        if latest is not current:
            # Sentence vectors depend on the model only, not the generation: swapping them
            # mid-answer elsewhere changes which are cached, never a result.
            self.vectors.preload(latest.sentence_vectors)
        pinned = _PINNED.set((self, latest))
        try:
            return self._answer(question, history)
        finally:
            _PINNED.reset(pinned)

    def _answer(self, question: str | None, history: History) -> Answer:
        timer = StepTimer()
        settings = self.settings

        # 1. Guard the input: plain, bounded text without personal details.
        limit = settings.max_question_chars
        guarded, history = guard_message(question, history, limit)
        if guarded.is_empty:
            return canned("empty_question", "")
        notes = []
        if guarded.was_trimmed:
            notes.append(replies()["trimmed"]["note"].format(limit=f"{limit:,}"))
        timer.lap("guard")

        # 2. Understand (text only): shorthand spelled out, questions found in a story, parts
        #    split, follow-ups made standalone, other areas and other languages noticed.
        query = understand(guarded.text, history, self.glossary, settings.max_history_turns)
        timer.lap("understand")

        # 3. Embed every text the answer needs, in one model call.
        vectors = self.embed(guarded.text, query)
        timer.lap("embed")

        # 4. Safeguarding, before any reply: urgent contacts alone, or the answer under a
        #    box of who to call if anyone is in danger.
        alert = self.safeguarding.check(guarded.text, vectors)
        timer.lap("safeguarding")
        if alert.tier == URGENT:
            reply = canned("urgent", guarded.text, self.passages_of("urgent"))
            reply.safety = URGENT
            reply.debug = {"safeguarding": alert.reason, "timings_ms": timer.laps}
            return reply
        reply = self.answer_question(guarded, query, vectors, notes, timer)
        if alert.tier == POSSIBLE:
            box = canned("possible_risk", guarded.text, self.passages_of("possible_risk"))
            reply = with_box(reply, box)
            reply.safety = POSSIBLE
            reply.debug["safeguarding"] = alert.reason
        return reply

    def embed(self, text: str, query: Query) -> QueryVectors:
        """The vectors of every text this message needs (safeguarding's clauses, the search
        texts, the sentences a follow-up's reader has just read), from one model call."""
        if not self.embed_together:
            return QueryVectors(self.vectors)
        texts = self.safeguarding.texts(text)
        if query.language != "en":  # answered with a canned reply: nothing to search
            return self.vectors.prepare(texts)
        return self.vectors.prepare([*texts, *search_texts(query)], previous_sentences(query))

    def answer_question(
        self,
        guarded: GuardedInput,
        query: Query,
        vectors: QueryVectors,
        notes: list[str],
        timer: StepTimer,
    ) -> Answer:
        """Steps 5-11 for an understood message that needs no urgent reply."""
        settings = self.settings
        if query.language != "en":
            reply = canned("not_english", guarded.text, self.passages_of("not_english"))
            reply.debug = {"language": query.language, "timings_ms": timer.laps}
            return reply

        # 5. Scope.
        searched = search_vector(query, vectors)
        scope = self.scope.check(query.standalone, searched)
        timer.lap("scope")
        if not scope.in_scope:
            redirect = replies()["out_of_scope"]["redirects"][scope.category]
            reply = canned(
                "out_of_scope", guarded.text, self.passages_of("out_of_scope"), redirect=redirect
            )
            reply.standalone_question = query.standalone
            reply.debug = {"scope": scope.reason, "timings_ms": timer.laps}
            return reply

        # 6-7. Retrieve and rerank (for the whole message, then for each part it asks).
        read = self.already_read(query)
        ranked = self.retrieve(query.search_text, searched, read, query.asks_definition)
        timer.lap("retrieve")
        deadlines = plan_deadlines(
            guarded.text, settings.today or dt.date.today(), self.find_evidence
        )
        debug = _debug(query, scope.reason or "mentions SEND", ranked, settings.final_k)
        debug["timings_ms"] = timer.laps
        missing = self.vocabulary.missing_paragraphs(guarded.text)
        if missing:
            # A false premise: say the paragraph is not in the Code, then give the real rule.
            notes.append(replies()["notes"]["missing_paragraph"].format(paragraph=missing[0]))
        gap = self.coverage_gap(query, ranked) if deadlines is None else None
        if gap is not None:
            reply = canned("not_found", guarded.text, self.passages_of("not_found"))
            reply.standalone_question = query.standalone
            reply.notes = [*notes, *([gap] if gap else [])]
            reply.debug = debug
            return reply

        # 8-9. Compose from the passages, then verify every citation.
        council = council_for(query.other_area) if query.other_area else None
        sections = self.compose_parts(query, vectors, searched, ranked, read, local=council is None)
        timer.lap("compose")
        verified = [(label, verify_citations(draft)) for label, draft in sections]
        timer.lap("verify")

        # 10. Respond.
        kept = [(label, result.kept) for label, result in verified]
        reply = answered(kept, guarded.text, query.standalone)
        # A part of a several-question message that nothing here answers is said so, rather
        # than silently missing from the reply.
        if reply.statements:
            notes.extend(
                replies()["notes"]["part_not_found"].format(question=_short(asked))
                for asked in parts_not_found(query.part_labels, kept)
            )
        if deadlines is not None:
            _add_deadlines(reply, deadlines)
        if query.other_area:
            area_notes = replies()["other_area"]
            note = (
                area_notes["council_note"].format(area=query.other_area, council=council)
                if council
                else area_notes["note"].format(area=query.other_area)
            )
            notes.insert(0, note)
        # Acronyms are explained for the answer itself; the next-step line explains SENDIASS.
        reply.words_used = self.glossary.words_used(reply.body)
        if not query.other_area and reply.statements:
            self.add_next_step(reply)
        reply.notes = notes
        debug["dropped_sentences"] = [s.text for _, r in verified for s in r.dropped]
        reply.debug = debug
        timer.lap("respond")
        return reply

    def retrieve(
        self, text: str, vector: np.ndarray, read: np.ndarray, asks_definition: bool = False
    ) -> list[Candidate]:
        """Search, rerank, and for a follow-up rank lower what the parent has just read (`read`:
        unit vectors of the previous answer's sentences, see `already_read`)."""
        candidates = self.search(text, vector)
        ranked = rerank(candidates, text, vector, self.store, asks_definition)
        if len(read):
            ranked = sorted(
                ranked,
                key=lambda c: (
                    c.score - (ALREADY_SHOWN_PENALTY if _shown(c, read, self.vectors) else 0.0)
                ),
                reverse=True,
            )
        return ranked

    def already_read(self, query: Query) -> np.ndarray:
        """Unit vectors (n × 384) of the sentences of the answer a follow-up follows."""
        sentences = previous_sentences(query)
        return self.vectors.many(sentences) if sentences else np.zeros((0, 384), np.float32)

    def compose_parts(
        self,
        query: Query,
        vectors: QueryVectors,
        vector: np.ndarray,
        ranked: list[Candidate],
        read: np.ndarray,
        local: bool,
    ) -> list[tuple[str, list[DraftSentence]]]:
        """Draft sentences for the message, or for each part of a message asking several things,
        each under its own short label. Without `local`, Stoke's Local Offer is left out (the
        parent lives in another council's area)."""

        def usable(candidates: list[Candidate]) -> list[Candidate]:
            return [c for c in candidates if local or not _stoke_specific(c.chunk)]

        if not query.parts:
            draft = compose_answer(
                query.search_text, vector, usable(ranked), self.vectors, self.settings,
                already_read=read,
            )  # fmt: skip
            return [("", draft)]
        # Compose once for the whole message (the story carries each part's topic), then show
        # each sentence under the part it answers; a part left unanswered gets its own search.
        draft = compose_answer(
            query.search_text, vector, usable(ranked), self.vectors, self.settings,
            max_words=MULTI_PART_WORDS, already_read=read,
        )  # fmt: skip
        part_vectors = vectors.queries(list(query.parts))
        mixed = [
            unit(PART_STORY_WEIGHT * vector + (1 - PART_STORY_WEIGHT) * v) for v in part_vectors
        ]
        # A part too short to be judged by its own words is judged with the story it leans on:
        # "is that even legal?" was otherwise always "not found".
        own_vectors = np.array(
            [
                m if leans_on_story(part) else v
                for part, v, m in zip(query.parts, part_vectors, mixed, strict=True)
            ]
        )
        groups = group_by_part(
            draft, self.vectors.many([d.text for d in draft]), np.array(mixed), own_vectors
        )
        used = {d.text for d in draft}
        for group, part, own_vector, mixed_vector in zip(
            groups, query.parts, own_vectors, mixed, strict=True
        ):
            if not unanswered(self.vectors.many([d.text for d in group]), own_vector):
                continue
            found = usable(self.retrieve(part, mixed_vector, read, query.asks_definition))
            # What the answer already says counts as read, so the part adds a fact instead of
            # restating one ("2 months" twice for two questions on mediation).
            said = self.vectors.many(sorted(used)) if used else np.zeros((0, 384), np.float32)
            added = compose_answer(
                part, mixed_vector, found, self.vectors, self.settings,
                max_sentences=PART_SENTENCES, max_words=MAX_ANSWER_WORDS // len(query.parts),
                already_read=np.vstack([read, said]) if len(said) else read,
            )  # fmt: skip
            added_vectors = self.vectors.many([d.text for d in added])
            added = [
                d
                for d, on_topic in zip(added, on_part(added_vectors, own_vector), strict=True)
                if on_topic and d.text not in used
            ]
            used.update(d.text for d in added)
            group.extend(added)
        label = replies()["notes"]["part_label"]
        return [
            (label.format(question=_short(asked)), group)
            for asked, group in zip(query.part_labels, groups, strict=True)
        ]

    def add_next_step(self, reply: Answer) -> None:
        """End with where to get free, impartial help (SENDIASS), quoted from the corpus and
        cited, unless the answer already gives SENDIASS's phone number (or, when the quote
        has none, already names SENDIASS): a parent told "SENDIASS can help" still needs
        the number."""
        config = replies()["next_step"]
        quote = self.next_step_quote()
        if quote is None:
            return
        support, sentence, chunk = quote
        contacts = _PHONE.findall(sentence)
        if support < NEXT_STEP_MIN_SUPPORT or (
            all(_digits(c) in _digits(reply.body) for c in contacts)
            if contacts
            else "SENDIASS" in reply.body
        ):
            return
        numbers = {c.chunk_id: c.n for c in reply.citations}
        if chunk.chunk_id not in numbers:
            numbers[chunk.chunk_id] = len(reply.citations) + 1
            reply.citations.append(citation_for(numbers[chunk.chunk_id], chunk, [sentence]))
        reply.statements.append(
            Statement(text=sentence, citation=numbers[chunk.chunk_id], label=config["label"])
        )

    def next_step_quote(self) -> tuple[float, str, Chunk] | None:
        """The corpus sentence closest to the configured next step: (support, sentence, its
        passage), or None if the passages it may come from have no sentences. It depends on
        the index generation only, so it is found once per generation."""
        index = self.index
        cached = self._next_step
        if cached is not None and cached[0] is index:
            return cached[1]
        quotes = [
            (support_score(replies()["next_step"]["stoke"], sentence), sentence, chunk)
            for chunk in self.passages_of("next_step")
            for sentence in passage_sentences(chunk)
        ]
        quote = max(quotes, key=lambda quote: quote[0]) if quotes else None
        self._next_step = (index, quote)
        return quote

    def coverage_gap(self, query: Query, ranked: list[Candidate]) -> str | None:
        """Why the guidance here cannot answer ('' if only retrieval is weak); None if it can.

        An unfamiliar name refuses only a short question that is about it ("what is a Blue
        Badge?"): in a longer message one unknown word is shorthand, not the subject.
        """
        confidence = max(
            (
                max(c.confidence, c.question_similarity - QUESTION_EVIDENCE_MARGIN)
                for c in ranked[:CONFIDENCE_DEPTH]
            ),
            default=0.0,
        )
        unknown = self.vocabulary.unknown_names(query.standalone)
        short = len(content_words(query.standalone)) <= SHORT_QUESTION_WORDS
        if unknown and short and confidence < self.settings.unknown_name_threshold:
            return str(replies()["not_found"]["unknown_name"])
        if confidence < self.settings.not_found_threshold:
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
