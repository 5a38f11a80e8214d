"""Opening the index when the app or the command line starts: brought in line with corpus/
first, unless another process is ingesting (then the live generation serves, and the answer
pipeline switches to the new one when that ingest finishes)."""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.embeddings import Embeddings

from assistant.config import Settings
from assistant.corpus.fingerprint import ingest_is_current
from assistant.corpus.index import ChunkStore
from assistant.corpus.ingest import IngestBusy, IngestIncomplete, ingest_corpus


def open_index(
    settings: Settings, embeddings: Embeddings, progress: Callable[[str], None]
) -> ChunkStore:
    """The store of the live index generation, after an ingest of any change in corpus/.

    An empty index is built from scratch (with progress shown); otherwise only new or changed
    documents are embedded. When the corpus, code and settings hash as they did at the last
    ingest (see fingerprint.py), the corpus is not read again at all.
    Raises RuntimeError when there is nothing to answer from (an empty corpus, or an empty
    index while another process is still building it).
    """
    store = ChunkStore(settings, embeddings)
    if ingest_is_current(settings, store.generations.live()) and store.count() > 0:
        return store
    empty = store.count() == 0
    if empty:
        progress("The index is empty: building it from the corpus (first run only).")
    try:
        report = ingest_corpus(settings, store, progress if empty else lambda _m: None)
    except IngestBusy:
        progress(
            "Another ingest is updating the index: answering from the current one, and "
            "switching to the new one when that ingest finishes."
        )
    except IngestIncomplete as incomplete:
        progress(f"{incomplete} Answering from the current index meanwhile.")
    else:
        if empty or report.chunks_added or report.chunks_removed or report.skipped:
            progress(report.summary())
    if store.count() == 0:
        raise RuntimeError(
            f"Nothing could be indexed from {settings.corpus_dir} "
            "(or another ingest is still building the first index: start again when it ends)."
        )
    return store
