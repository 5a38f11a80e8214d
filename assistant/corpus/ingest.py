"""Build or update the index from corpus/: parse, chunk, then add only what changed."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

from assistant.config import Settings
from assistant.corpus.chunking import Chunk, chunk_document
from assistant.corpus.documents import DocumentError, DroppedText, SourceDocument
from assistant.corpus.embeddings import model_path, token_counter
from assistant.corpus.files import FileLimits
from assistant.corpus.fingerprint import ingest_fingerprint, record_ingest
from assistant.corpus.generations import Generations
from assistant.corpus.index import ChunkStore, rows_for
from assistant.corpus.loaders import corpus_files, load_document

Progress = Callable[[str], None]


@dataclass
class Skipped:
    """A corpus file left out of the index, and why."""

    path: Path
    reason: str


@dataclass
class Dropped:
    """Text in an indexed file that was left out because a reader would not see it."""

    path: Path
    text: str
    reason: str


@dataclass
class OldPage:
    """A document whose own "last updated" date is older than the configured age."""

    path: Path
    updated: dt.date
    age_days: int


@dataclass
class IngestReport:
    """What an ingest run did, for the console and for tests."""

    files_seen: int = 0
    documents: int = 0
    chunks_total: int = 0
    chunks_added: int = 0
    chunks_removed: int = 0
    chunks_unchanged: int = 0
    # Passages actually embedded this run (fewer than chunks_added when a killed ingest's
    # work is resumed).
    chunks_embedded: int = 0
    # The generation live after the run (None when nothing could be indexed).
    generation: int | None = None
    questions_added: int = 0
    sentences_added: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    kept_stale: list[str] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    old_pages: list[OldPage] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """An ingest fails only when nothing at all could be indexed."""
        return self.documents > 0

    def summary(self) -> str:
        """A short human-readable account of the run."""
        lines = [
            f"Indexed {self.documents} of {self.files_seen} files: {self.chunks_total} chunks "
            f"({self.chunks_added} added, {self.chunks_removed} removed, "
            f"{self.chunks_unchanged} unchanged) in {self.seconds:.1f} s."
            + (
                f" {self.chunks_embedded} passages embedded (the rest were resumed from an "
                "interrupted ingest)."
                if self.chunks_embedded < self.chunks_added
                else ""
            )
            + (f" Live index: generation {self.generation}." if self.generation is not None else "")
            + (
                f" {self.questions_added} question vectors embedded."
                if self.questions_added
                else ""
            )
            + (
                f" {self.sentences_added} sentence vectors embedded."
                if self.sentences_added
                else ""
            )
        ]
        for skipped in self.skipped:
            lines.append(f"SKIPPED {skipped.path}: {skipped.reason}")
        for dropped in self.dropped:
            lines.append(f"DROPPED from {dropped.path} ({dropped.reason}): {dropped.text!r}")
        for old in self.old_pages:
            lines.append(
                f"OLD {old.path}: the page says it was last updated on {old.updated.isoformat()} "
                f"({old.age_days} days ago); check it against the live page"
            )
        for doc_id in self.kept_stale:
            lines.append(
                f"KEPT the previously indexed version of {doc_id!r}, because its file now fails."
            )
        return "\n".join(lines)


def file_limits(settings: Settings) -> FileLimits:
    """The configured largest file sizes, in bytes."""
    return FileLimits(
        text_bytes=int(settings.max_text_file_mb * 1_048_576),
        pdf_bytes=int(settings.max_pdf_file_mb * 1_048_576),
    )


def _note_document(
    document: SourceDocument, path: Path, settings: Settings, report: IngestReport
) -> None:
    """Record the hidden text a document dropped, and warn when its page is old."""
    report.dropped.extend(_dropped(path, document.dropped))
    updated = document.meta.source_updated
    if updated is not None:
        age = ((settings.today or dt.date.today()) - updated).days
        if age > settings.source_max_age_days:
            report.old_pages.append(OldPage(path, updated, age))


def _dropped(path: Path, found: list[DroppedText]) -> list[Dropped]:
    return [Dropped(path, item.text, item.reason) for item in found]


def load_corpus(
    corpus_dir: Path, report: IngestReport, settings: Settings | None = None
) -> list[SourceDocument]:
    """Every parseable document; files that fail are recorded in the report with the reason."""
    settings = settings or Settings(corpus_dir=corpus_dir)
    limits = file_limits(settings)
    documents: list[SourceDocument] = []
    seen: dict[str, Path] = {}
    files = corpus_files(corpus_dir)
    report.files_seen = len(files)
    for path in files:
        try:
            document = load_document(path, limits)
        except DocumentError as exc:
            report.skipped.append(Skipped(path, str(exc)))
            continue
        except Exception as exc:  # a broken file must never stop the rest being indexed
            report.skipped.append(
                Skipped(path, f"could not be parsed ({type(exc).__name__}: {exc})")
            )
            continue
        doc_id = document.meta.doc_id
        if doc_id in seen:
            report.skipped.append(
                Skipped(path, f"document id {doc_id!r} is already used by {seen[doc_id]}")
            )
            continue
        seen[doc_id] = path
        documents.append(document)
        _note_document(document, path, settings, report)
    return documents


def chunk_corpus(documents: list[SourceDocument], settings: Settings) -> list[Chunk]:
    """Chunks for every document, sized with the embedding model's tokenizer."""
    count = token_counter(model_path(settings))
    chunks: list[Chunk] = []
    for document in documents:
        chunks.extend(
            chunk_document(document, count, settings.chunk_max_tokens, settings.chunk_min_tokens)
        )
    return chunks


class IngestBusy(RuntimeError):
    """Another ingest is already writing to the same index."""


class IngestIncomplete(RuntimeError):
    """The new index generation did not come out complete; the previous one stays live."""


def ingest_corpus(
    settings: Settings, store: ChunkStore, progress: Progress = lambda _message: None
) -> IngestReport:
    """Bring the index in line with corpus/, embedding only chunks that are new or changed.

    Raises IngestBusy if another ingest holds the index's lock: two at once could leave the
    passage, question and sentence collections out of step. (filelock, the lock file library
    Hugging Face and Chroma already use, rather than our own.)
    """
    lock = ingest_lock_path(settings)
    lock.parent.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(lock, timeout=0):
            return _ingest(settings, store, progress)
    except Timeout as exc:
        raise IngestBusy(
            f"Another ingest is already updating the index in {settings.index_dir}; "
            "wait for it to finish, then run this again."
        ) from exc


def ingest_lock_path(settings: Settings) -> Path:
    """The lock file: in the index folder, or, with a Chroma server (nothing is written to the
    index folder then), beside the logs, one per server. A file lock serialises the ingests run
    from this machine only; ingests from several machines against one server are not."""
    if settings.chroma_host:
        name = f"ingest-{settings.chroma_host}-{settings.chroma_port}-{settings.collection_name}"
        return settings.log_dir.parent / f"{name}.lock"
    return settings.index_dir / "ingest.lock"


def _ingest(settings: Settings, store: ChunkStore, progress: Progress) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport()
    if not settings.corpus_dir.is_dir():
        report.skipped.append(Skipped(settings.corpus_dir, "the corpus folder does not exist"))
        return report
    # Hashed before reading: a file changed while this ingest runs makes the next start check.
    fingerprint = ingest_fingerprint(settings)
    progress(f"Reading documents in {settings.corpus_dir} ...")
    documents = load_corpus(settings.corpus_dir, report, settings)
    report.documents = len(documents)
    if not documents:
        report.seconds = time.perf_counter() - started
        return report
    chunks = chunk_corpus(documents, settings)
    report.chunks_total = len(chunks)

    generations = store.generations
    live_generation = generations.live()
    live = store.at(live_generation) if live_generation is not None else None
    held = live.ids_by_doc() if live is not None else {}
    held_ids = {chunk_id for ids in held.values() for chunk_id in ids}
    wanted = {chunk.chunk_id for chunk in chunks}
    loaded_ids = {document.meta.doc_id for document in documents}
    failed_ids = {skipped.path.name.split(".")[0] for skipped in report.skipped}
    stale_ids: set[str] = set()
    for doc_id, ids in held.items():
        if doc_id not in loaded_ids and doc_id in failed_ids:
            # Nothing is lost: a file that breaks keeps its last good version searchable.
            report.kept_stale.append(doc_id)
            stale_ids |= ids
    if stale_ids and live is not None:
        chunks += [c for c in live.all_chunks() if c.chunk_id in stale_ids]
    report.chunks_added = len(wanted - held_ids)
    report.chunks_removed = len(held_ids - wanted - stale_ids)
    report.chunks_unchanged = len(wanted & held_ids)

    rows = rows_for(chunks)
    if live is not None and live.holds_exactly(rows):
        # Nothing changed: no new generation, no embedding, the model is never loaded.
        if generations.pointer() is None:
            generations.switch(live.generation, None)  # adopt an older un-versioned index
        progress(f"Nothing changed: generation {live.generation} stays live.")
        store.follow(live.generation)
        report.generation = live.generation
        record_ingest(settings, fingerprint, live.generation)
        report.seconds = time.perf_counter() - started
        return report

    target = store.at(_build_target(generations, live_generation))
    progress(
        f"Building index generation {target.generation} beside the live one "
        f"({'none' if live_generation is None else live_generation}); "
        "the chat keeps answering from the live one until it is complete."
    )
    embedded = target.fill(rows, live, progress)
    report.chunks_embedded = embedded.passages
    report.questions_added = embedded.questions
    report.sentences_added = embedded.sentences
    if not target.holds_exactly(rows):
        raise IngestIncomplete(
            f"Index generation {target.generation} does not hold what the corpus asks for; "
            "the previous index stays live. Run the ingest again."
        )
    if generations.live() != live_generation:
        # The file lock covers one machine; an ingest from another machine against the same
        # Chroma server switched meanwhile. Its generation stays; this one is finished next run.
        raise IngestIncomplete(
            "Another ingest switched the index while this one ran; run the ingest again."
        )
    generations.switch(target.generation, live_generation)
    progress(f"Switched the chat to index generation {target.generation}.")
    # The generation just replaced stays one more round: another app process may still be
    # answering from it until it notices the switch (it checks every few seconds).
    for old in generations.held():
        if old not in (target.generation, live_generation):
            generations.remove(old)
    store.follow(target.generation)
    report.generation = target.generation
    record_ingest(settings, fingerprint, target.generation)
    report.seconds = time.perf_counter() - started
    return report


def _build_target(generations: Generations, live: int | None) -> int:
    """The generation to build: an unfinished newer one left by a killed ingest (its rows are
    kept, so the work resumes), else the next number. Other unfinished ones are removed."""
    newer = [g for g in generations.held() if live is None or g > live]
    newer = [g for g in newer if g > 0]  # generation 0 is only ever an adopted older index
    target = max(newer) if newer else max([*generations.held(), live or 0]) + 1
    for unfinished in newer:
        if unfinished != target:
            generations.remove(unfinished)
    return target
