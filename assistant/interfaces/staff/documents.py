"""The staff documents list: every corpus file with its metadata, passage count and age."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from assistant.config import Settings
from assistant.corpus.documents import DocumentError
from assistant.corpus.ingest import file_limits
from assistant.corpus.loaders import corpus_files, load_document

COLUMNS = [
    "id",
    "collection",
    "title",
    "source URL",
    "source updated",
    "last checked",
    "passages",
    "old",
    "file",
]
SORTS = {
    "title": "title",
    "collection": "collection",
    "last checked (oldest first)": "last checked",
    "source updated (oldest first)": "source updated",
    "passages (fewest first)": "passages",
}


@dataclass(frozen=True)
class DocumentRow:
    """One corpus file as staff see it (dates as YYYY-MM-DD, "" when unknown)."""

    doc_id: str
    collection: str
    title: str
    source_url: str
    source_updated: str
    last_checked: str
    passages: int
    old: str
    file: str

    def cells(self) -> list[str | int]:
        """The row in COLUMNS order."""
        return [
            self.doc_id,
            self.collection,
            self.title,
            self.source_url,
            self.source_updated,
            self.last_checked,
            self.passages,
            self.old,
            self.file,
        ]


def list_documents(settings: Settings, counts: dict[str, set[str]]) -> list[DocumentRow]:
    """Every corpus file, read with the corpus loaders; `counts` is ChunkStore.ids_by_doc().

    "old" says why a document needs checking: its source's own update date (or, when the
    source gives none, the date its facts were last checked) is more than
    settings.source_max_age_days ago. A file that cannot be used is listed with the reason.
    """
    today = settings.today or dt.date.today()
    limits = file_limits(settings)
    rows = []
    for path in corpus_files(settings.corpus_dir):
        name = str(path.relative_to(settings.corpus_dir))
        doc_id = path.name.split(".")[0]
        try:
            meta = load_document(path, limits).meta
        except DocumentError as exc:
            rows.append(
                DocumentRow(doc_id, "", "", "", "", "", len(counts.get(doc_id, ())),
                            f"cannot be used: {exc}", name)
            )  # fmt: skip
            continue
        dated = meta.source_updated or meta.last_checked
        age = (today - dated).days
        old = f"old: {age} days" if age > settings.source_max_age_days else ""
        rows.append(
            DocumentRow(
                doc_id=meta.doc_id,
                collection=meta.collection,
                title=meta.title,
                source_url=meta.source_url,
                source_updated=meta.source_updated.isoformat() if meta.source_updated else "",
                last_checked=meta.last_checked.isoformat(),
                passages=len(counts.get(meta.doc_id, ())),
                old=old,
                file=name,
            )
        )
    return rows


def filter_and_sort(rows: list[DocumentRow], search: str, sort: str) -> list[list[str | int]]:
    """Rows whose cells contain every word of `search` (any case), sorted by a SORTS key."""
    words = (search or "").lower().split()
    kept = [row for row in rows if all(w in " ".join(map(str, row.cells())).lower() for w in words)]
    column = COLUMNS.index(SORTS.get(sort or "", "title"))

    def key(row: DocumentRow) -> tuple[int, str, str]:
        cell = row.cells()[column]
        return (
            (cell, "", row.title.lower())
            if isinstance(cell, int)
            else (0, cell.lower(), row.title.lower())
        )

    kept.sort(key=key)
    return [row.cells() for row in kept]


def document_path(settings: Settings, doc_id: str) -> Path | None:
    """The corpus file of a document id (its file name without extension), if there is one."""
    for path in corpus_files(settings.corpus_dir):
        if path.name.split(".")[0] == doc_id:
            return path
    return None
