"""Reading corpus files safely: the checks that name a file that can never work (a link loop,
a dangling link, no permission, empty, too large) and its bytes or UTF-8 text."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

from assistant.corpus.documents import DocumentError


def read_bytes(path: Path) -> bytes:
    """The file's bytes; DocumentError naming a permission problem."""
    try:
        return path.read_bytes()
    except PermissionError as exc:
        raise DocumentError("permission denied: the file cannot be read") from exc
    except OSError as exc:
        raise DocumentError(f"the file cannot be read ({exc.strerror or exc})") from exc


def read_text(path: Path) -> str:
    """File text as UTF-8 (a byte order mark is allowed), with a clear error otherwise."""
    try:
        return read_bytes(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"the file is not UTF-8 text (byte {exc.start} cannot be decoded); save it as UTF-8"
        ) from exc


@dataclass(frozen=True)
class FileLimits:
    """Largest files accepted, in bytes: a huge Markdown or HTML file would become tens of
    thousands of passages and hours of embedding at every start."""

    text_bytes: int = 2 * 1024 * 1024
    pdf_bytes: int = 50 * 1024 * 1024


def check_file(path: Path, limits: FileLimits) -> None:
    """Raise DocumentError, with the reason, for a file that can never be loaded:
    a symbolic link loop, a dangling link, a permission problem, an empty or too-large file."""
    try:
        _check_link(path)
        size = path.stat().st_size
        is_file = path.is_file()
    except PermissionError as exc:
        raise DocumentError("permission denied: the file cannot be read") from exc
    except OSError as exc:
        raise DocumentError(f"the file cannot be read ({exc.strerror or exc})") from exc
    if not is_file:
        raise DocumentError("not a regular file")
    if size == 0:
        raise DocumentError("empty")
    limit = limits.pdf_bytes if path.suffix.lower() == ".pdf" else limits.text_bytes
    if size > limit:
        raise DocumentError(
            f"too large: {size / 1_048_576:.1f} MB is over the {limit / 1_048_576:.1f} MB limit "
            "for this kind of file (split it, or raise SEND_MAX_TEXT_FILE_MB / SEND_MAX_PDF_FILE_MB)"
        )


def _check_link(path: Path) -> None:
    """DocumentError for a symbolic link that loops or points at nothing."""
    if not path.is_symlink():
        return
    try:
        path.resolve(strict=True)
    except FileNotFoundError as exc:
        target = os.readlink(path)
        raise DocumentError(
            f"dangling symbolic link: it points to {target}, which does not exist"
        ) from exc
    except RuntimeError as exc:  # Python 3.11 reports a loop this way
        raise DocumentError("symbolic link loop: the link leads back to itself") from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise DocumentError("symbolic link loop: the link leads back to itself") from exc
        raise
