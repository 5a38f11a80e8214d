"""The last step: turn a status and its evidence into the Answer the parent sees."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from assistant.answering.answer import Answer, Citation, Kind, Statement
from assistant.answering.compose import DraftSentence
from assistant.answering.verify import support_score
from assistant.config import packaged_yaml
from assistant.corpus.chunking import Chunk

SNIPPET_CHARS = 300


@lru_cache(maxsize=1)
def replies() -> dict[str, Any]:
    """Canned replies from assistant/replies.yaml."""
    data: dict[str, Any] = packaged_yaml("replies.yaml")
    return data


def citation_for(n: int, chunk: Chunk, quoted: list[str]) -> Citation:
    """A numbered citation whose snippet is the quoted text (or the passage opening)."""
    snippet = " ".join(quoted) if quoted else chunk.body
    if len(snippet) > SNIPPET_CHARS:
        snippet = snippet[: SNIPPET_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return Citation(
        n=n,
        title=chunk.title,
        url=chunk.source_url,
        section=chunk.section,
        snippet=snippet,
        doc_id=chunk.doc_id,
        collection=chunk.collection,
        passage=chunk.body,
        last_checked=chunk.last_checked,
        chunk_id=chunk.chunk_id,
        source_updated=chunk.source_updated,
    )


def answered(
    sections: list[tuple[str, list[DraftSentence]]], question: str, standalone: str
) -> Answer:
    """An answer from verified sentences, one paragraph per (label, sentences) section (the
    label is '' for a message asking one thing), numbering passages in order of first use."""
    numbers: dict[str, int] = {}
    quoted: dict[str, list[str]] = {}
    chunks: dict[str, Chunk] = {}
    statements = []
    for label, sentences in sections:
        for position, sentence in enumerate(sentences):
            chunk_id = sentence.chunk.chunk_id
            numbers.setdefault(chunk_id, len(numbers) + 1)
            chunks[chunk_id] = sentence.chunk
            quoted.setdefault(chunk_id, []).append(sentence.text)
            statements.append(
                Statement(
                    text=sentence.text,
                    citation=numbers[chunk_id],
                    label=label if position == 0 else "",
                )
            )
    citations = [citation_for(n, chunks[cid], quoted[cid]) for cid, n in numbers.items()]
    return Answer(
        kind=Kind.ANSWERED,
        statements=statements,
        citations=citations,
        question=question,
        standalone_question=standalone,
        status="answered",
    )


def canned(status: str, question: str, passages: Sequence[Chunk] = (), **values: str) -> Answer:
    """A reply from replies.yaml; each fact line (`cited`, and the `closing` line) cites the
    passage of the named document that best supports it."""
    config = replies()[status]
    statements = []
    numbers: dict[str, int] = {}
    chosen: dict[str, Chunk] = {}
    for part in ("intro", "cited", "outro", "closing"):
        for line in config.get(part, []):
            text = line.format(**values).strip()
            if not text:
                continue
            number = None
            if part in ("cited", "closing") and passages:
                best = max(passages, key=lambda chunk: support_score(text, chunk.body))
                number = numbers.setdefault(best.chunk_id, len(numbers) + 1)
                chosen[best.chunk_id] = best
            statements.append(Statement(text=text, citation=number))
    return Answer(
        kind=Kind(config["kind"]),
        statements=statements,
        citations=[citation_for(n, chosen[cid], []) for cid, n in numbers.items()],
        question=question,
        standalone_question=question,
        status=status,
    )


def with_box(reply: Answer, box: Answer) -> Answer:
    """The reply opened by the possible-risk box: the box's statements come first, its sources
    are numbered first and the reply's own citation numbers move up to follow them."""
    shift = len(box.citations)

    def moved(statement: Statement) -> Statement:
        return (
            replace(statement, citation=statement.citation + shift)
            if statement.citation
            else statement
        )

    reply.statements = [moved(s) for s in reply.statements]
    reply.extras = [moved(s) for s in reply.extras]
    reply.citations = [*box.citations, *(replace(c, n=c.n + shift) for c in reply.citations)]
    reply.box = box.statements
    reply.box_title = replies()[box.status].get("title", "")
    return reply
