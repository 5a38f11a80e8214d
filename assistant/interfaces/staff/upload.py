"""Checking an uploaded file and its metadata, and staging it for a preview before it goes live.

Nothing here touches corpus/ or the index: a refused upload changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.config import Settings
from assistant.corpus.chunking import Chunk, chunk_document
from assistant.corpus.documents import (
    COLLECTIONS,
    FOLDER_COLLECTIONS,
    DocumentError,
    SourceDocument,
    is_valid_url,
)
from assistant.corpus.embeddings import model_path, token_counter
from assistant.corpus.files import check_file
from assistant.corpus.ingest import file_limits
from assistant.corpus.loaders import SIDECAR_SUFFIX, load_document, split_front_matter

KINDS = {".md": "Markdown", ".html": "HTML", ".htm": "HTML", ".pdf": "PDF"}
FOLDERS = {collection: folder for folder, collection in FOLDER_COLLECTIONS.items()}
# Elements and attributes that run code or pull in other pages: a page saved with them is
# refused rather than cleaned, so staff know exactly what goes live.
_ACTIVE_TAGS = ("script", "iframe", "object", "embed", "applet")


class UploadRefused(ValueError):
    """An upload or metadata edit that cannot go live; str(exc) says why, naming the field."""


@dataclass(frozen=True)
class UploadForm:
    """What staff type beside a file (dates as YYYY-MM-DD text, optional ones may be "")."""

    collection: str
    title: str
    source_url: str
    publisher: str
    last_checked: str
    source_updated: str = ""
    summary: str = ""
    doc_id: str = ""


@dataclass
class StagedUpload:
    """A checked file in a private temporary folder, with what it will become."""

    folder: Path
    path: Path
    sidecar: Path | None
    document: SourceDocument
    chunks: list[Chunk] = field(default_factory=list)

    @property
    def doc_id(self) -> str:
        """The document id (its file name without extension)."""
        return self.document.meta.doc_id

    def discard(self) -> None:
        """Delete the temporary folder."""
        shutil.rmtree(self.folder, ignore_errors=True)


def slug(text: str) -> str:
    """A document id from a name: lower case letters, digits and single hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


def metadata(form: UploadForm, today: dt.date) -> dict[str, Any]:
    """The front matter / sidecar keys for a form; UploadRefused naming the first bad field."""
    if form.collection not in COLLECTIONS:
        raise UploadRefused(f"Collection: choose one of {', '.join(COLLECTIONS)}.")
    for label, value in (("Title", form.title), ("Publisher", form.publisher)):
        if not value.strip():
            raise UploadRefused(f"{label}: this field is required.")
    url = form.source_url.strip()
    if not is_valid_url(url):
        raise UploadRefused(
            f"Source URL: {url!r} is not a web address (it must start with https:// or http://)."
        )
    data: dict[str, Any] = {
        "title": form.title.strip(),
        "source_url": url,
        "publisher": form.publisher.strip(),
        "collection": form.collection,
        "last_checked": _date(form.last_checked, "Checked date", today),
    }
    if form.source_updated.strip():
        data["source_updated"] = _date(form.source_updated, "Source updated date", today)
    if form.summary.strip():
        data["summary"] = " ".join(form.summary.split())
    return data


def _date(text: str, label: str, today: dt.date) -> dt.date:
    try:
        value = dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise UploadRefused(f"{label}: {text.strip()!r} is not a date like 2026-11-25.") from exc
    if value > today:
        raise UploadRefused(f"{label}: {value.isoformat()} is in the future.")
    return value


def check_content(data: bytes, suffix: str) -> None:
    """UploadRefused when the bytes are not what the file name claims, or hold scripts."""
    import filetype  # a well-kept magic-number table, rather than our own list of signatures

    kind = KINDS[suffix]
    guessed = filetype.guess(data[:8192])
    real = f"a {guessed.extension.upper()} file ({guessed.mime})" if guessed else "not a PDF"
    if suffix == ".pdf":
        if b"%PDF-" not in data[:1024]:
            raise UploadRefused(f"The file is named .pdf but its contents are {real}.")
        return
    if guessed is not None or b"\x00" in data[:8192]:
        what = real if guessed else "binary data"
        raise UploadRefused(
            f"The file is named {suffix} ({kind} text) but its contents are {what}."
        )
    _check_active_content(data)


def _check_active_content(data: bytes) -> None:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "html.parser")
    found = {tag.name for tag in soup.find_all(_ACTIVE_TAGS)}
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            if name.lower().startswith("on"):
                found.add(f"{name} attribute")
            if "javascript:" in str(value).lower().replace(" ", ""):
                found.add("javascript: link")
    if found:
        raise UploadRefused(
            f"The file contains scripts or embedded content ({', '.join(sorted(found))}): "
            "save the page without them, or paste its text into a Markdown file."
        )


def stage_upload(
    upload: Path, original_name: str, form: UploadForm, settings: Settings
) -> StagedUpload:
    """Check a file and its metadata and load it as ingest would, in a temporary folder.

    Raises UploadRefused with the reason (wrong kind of file, empty, too large, encrypted or
    corrupt PDF, scripts, no text, a bad field). The caller discards the staged folder.
    """
    suffix = Path(original_name).suffix.lower()
    if suffix not in KINDS:
        raise UploadRefused(
            f"{Path(original_name).name!r} is not a Markdown (.md), HTML (.html) or PDF (.pdf) file."
        )
    data = metadata(form, settings.today or dt.date.today())
    doc_id = slug(form.doc_id or Path(original_name).stem) or slug(form.title)
    if not doc_id:
        raise UploadRefused("File name: give the document a name with letters or digits.")
    try:
        check_file(upload, file_limits(settings))
    except DocumentError as exc:
        raise UploadRefused(f"The file cannot be used: {exc}.") from exc
    raw = upload.read_bytes()
    check_content(raw, suffix)
    folder = Path(tempfile.mkdtemp(prefix="staff-upload-"))
    target = (
        folder / FOLDERS[form.collection] / f"{doc_id}{'.html' if suffix == '.htm' else suffix}"
    )
    target.parent.mkdir()
    sidecar = None
    try:
        if suffix == ".md":
            target.write_text(with_front_matter(raw, data), encoding="utf-8")
        else:
            sidecar = target.with_name(doc_id + SIDECAR_SUFFIX)
            sidecar.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
            target.write_bytes(raw)
        document = load_document(target, file_limits(settings))
        count = token_counter(model_path(settings))
        chunks = chunk_document(
            document, count, settings.chunk_max_tokens, settings.chunk_min_tokens
        )
    except (DocumentError, UploadRefused) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise UploadRefused(f"The file cannot be used: {exc}") from exc
    except Exception as exc:  # a parser failing on a broken file is a refusal, not a crash
        shutil.rmtree(folder, ignore_errors=True)
        raise UploadRefused(
            f"The file cannot be used: it could not be read ({type(exc).__name__})."
        ) from exc
    return StagedUpload(folder, target, sidecar, document, chunks)


def with_front_matter(raw: bytes, data: dict[str, Any]) -> str:
    """Markdown text with `data` as its front matter (any front matter it had is replaced)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadRefused(
            f"The file is not UTF-8 text (byte {exc.start} cannot be read); save it as UTF-8."
        ) from exc
    if text.startswith("---"):
        try:
            kept, text = split_front_matter(text)
        except DocumentError as exc:
            raise UploadRefused(f"The file's own front matter cannot be read: {exc}.") from exc
        data = {**{k: v for k, v in kept.items() if k not in data}, **data}
    return "---\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True) + "---\n" + text
