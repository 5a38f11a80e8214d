"""Changing corpus/ for staff: publish a staged upload, remove a document, edit its metadata.

Every file is written whole under a hidden temporary name and renamed into place (an atomic
rename), so an ingest running meanwhile sees the old file or the new one, never half of one.
Hidden names (".x.tmp") are never read as corpus files.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Any

import yaml

from assistant.config import Settings
from assistant.corpus.documents import DocumentError, build_meta
from assistant.corpus.loaders import SIDECAR_SUFFIX, read_yaml_mapping, split_front_matter
from assistant.interfaces.staff.documents import document_path
from assistant.interfaces.staff.upload import (
    FOLDERS,
    StagedUpload,
    UploadForm,
    UploadRefused,
    metadata,
)


def atomic_write(target: Path, data: bytes) -> None:
    """Write `data` to `target` all at once (temporary file, fsync, rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        with temporary.open("wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def sidecar_of(path: Path) -> Path:
    """The '<id>.meta.yaml' file beside an HTML or PDF document."""
    return path.with_name(path.name.split(".")[0] + SIDECAR_SUFFIX)


def publish(staged: StagedUpload, settings: Settings, replace: bool = False) -> Path:
    """Put a staged upload into corpus/<collection folder>/ and return its path.

    Raises UploadRefused if a document with the same id exists and `replace` is False. With
    `replace`, the new file takes the old one's place (in whatever folder or format it was).
    """
    existing = document_path(settings, staged.doc_id)
    if existing is not None and not replace:
        raise UploadRefused(
            f"File name: a document called {staged.doc_id!r} already exists ({existing.name}); "
            "tick 'replace it' to publish this one in its place, or choose another name."
        )
    folder = FOLDERS[staged.document.meta.collection]
    target = settings.corpus_dir / folder / staged.path.name
    # The sidecar goes first: a PDF is never visible to ingest without its metadata.
    if staged.sidecar is not None:
        atomic_write(sidecar_of(target), staged.sidecar.read_bytes())
    atomic_write(target, staged.path.read_bytes())
    if existing is not None and existing != target:
        remove_files(existing)
    return target


def remove_files(path: Path) -> None:
    """Delete a document's file, then its sidecar (if it has one)."""
    path.unlink(missing_ok=True)
    if path.suffix.lower() != ".md":
        sidecar_of(path).unlink(missing_ok=True)


def remove_document(settings: Settings, doc_id: str) -> Path:
    """Delete a document from corpus/; UploadRefused if there is no such document."""
    path = document_path(settings, doc_id.strip())
    if path is None:
        raise UploadRefused(f"Document: there is no document with the id {doc_id.strip()!r}.")
    remove_files(path)
    return path


def edit_metadata(settings: Settings, doc_id: str, form: UploadForm) -> Path:
    """Rewrite a document's front matter (Markdown) or sidecar (HTML, PDF) from the form.

    Keys the form does not cover (see_also, sources, ...) are kept. Raises UploadRefused naming
    the bad field, or when there is no such document; nothing is written then.
    """
    path = document_path(settings, doc_id.strip())
    if path is None:
        raise UploadRefused(f"Document: there is no document with the id {doc_id.strip()!r}.")
    data = metadata(form, settings.today or dt.date.today())
    if path.suffix.lower() == ".md":
        front, body = split_front_matter(path.read_text(encoding="utf-8-sig"))
        merged = _merged(front, data, path)
        text = "---\n" + _yaml(merged) + "---\n" + body
        atomic_write(path, text.encode("utf-8"))
    else:
        sidecar = sidecar_of(path)
        front = (
            read_yaml_mapping(sidecar.read_text("utf-8"), sidecar.name) if sidecar.exists() else {}
        )
        atomic_write(sidecar, _yaml(_merged(front, data, path)).encode("utf-8"))
    return path


def _merged(front: dict[str, Any], data: dict[str, Any], path: Path) -> dict[str, Any]:
    merged = {**front, **data}
    for optional in ("source_updated", "summary"):  # an emptied field removes the key
        if optional not in data:
            merged.pop(optional, None)
    try:
        build_meta(merged, path)
    except DocumentError as exc:
        raise UploadRefused(str(exc)) from exc
    return merged


def _yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
