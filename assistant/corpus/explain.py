"""What one file would become in the index, for staff checking a document before it goes live."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from assistant.config import Settings
from assistant.corpus.chunking import chunk_document, is_quotable
from assistant.corpus.documents import DocumentError
from assistant.corpus.embeddings import model_path, token_counter
from assistant.corpus.ingest import file_limits
from assistant.corpus.loaders import load_document


def explain_file(path: Path, settings: Settings) -> tuple[bool, str]:
    """(usable, report): the file's metadata, every passage it would become (fragments that are
    never quoted are marked) and the hidden text left out with why; or why it cannot be used."""
    try:
        document = load_document(path, file_limits(settings))
    except DocumentError as exc:
        return False, f"{path}: CANNOT BE USED: {exc}"
    meta = document.meta
    lines = [
        f"{path}",
        f"  title: {meta.title}",
        f"  source_url: {meta.source_url}",
        f"  publisher: {meta.publisher}",
        f"  collection: {meta.collection}",
        f"  last_checked: {meta.last_checked.isoformat()}",
    ]
    if meta.source_updated is not None:
        age = ((settings.today or dt.date.today()) - meta.source_updated).days
        old = " (OLD: check it against the live page)" if age > settings.source_max_age_days else ""
        lines.append(f"  source_updated: {meta.source_updated.isoformat()}{old}")
    count = token_counter(model_path(settings))
    chunks = chunk_document(document, count, settings.chunk_max_tokens, settings.chunk_min_tokens)
    lines.append(f"{len(chunks)} passage(s):")
    for number, chunk in enumerate(chunks, start=1):
        lines.append(f"--- passage {number}: {chunk.section or '(no heading)'}")
        for paragraph in chunk.body.split("\n\n"):
            marker = "" if is_quotable(paragraph) else "  [fragment: searchable, never quoted]"
            lines.append(f"  {paragraph}{marker}")
    if document.dropped:
        lines.append(f"{len(document.dropped)} piece(s) of text left out (hidden from readers):")
        lines.extend(f"  - {item.text!r}: {item.reason}" for item in document.dropped)
    else:
        lines.append("No hidden text found.")
    return True, "\n".join(lines)
