"""Loaders for the three corpus formats: Markdown with YAML front matter, HTML pages and PDFs."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from assistant.corpus.documents import (
    Block,
    DocumentError,
    DocumentMeta,
    DroppedText,
    ExtractedText,
    SourceDocument,
    build_meta,
    is_valid_url,
)
from assistant.corpus.files import FileLimits, check_file, read_bytes, read_text

SUPPORTED_SUFFIXES = (".md", ".html", ".htm", ".pdf")
SIDECAR_SUFFIX = ".meta.yaml"

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:[^)\s]+)(?:\s+\"[^\"]*\")?\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
# "Stands for: ..." style label lines (as in the glossary) are blocks of their own.
_LABEL_LINE = re.compile(r"^[A-Z][A-Za-z ]{2,20}:\s+\S.*[^.!?]$")
# "Parents ask: q1; q2; q3" under a heading: the section's questions in parents' own words.
_QUESTIONS_LINE = re.compile(r"^Parents ask:\s*(\S.*)$")
# "Source: URL" under a heading: the page that holds this section's facts, when it is not the
# document's own source_url (a national document's section on a Stoke service, say).
_SOURCE_LINE = re.compile(r"^Source:\s*(.+?)\s*$")


def plain_text(markdown: str) -> str:
    """Markdown inline formatting removed: links keep their text, emphasis markers go."""
    text = _MD_LINK.sub(r"\1", markdown)
    text = _MD_EMPHASIS.sub(r"\2", text)
    return re.sub(r"\s+", " ", text).strip()


def read_yaml_mapping(text: str, what: str, line_offset: int = 0) -> dict[str, Any]:
    """Parse YAML that must be a mapping, with a readable error naming the file line
    (`line_offset` is how many lines of the file come before `text`)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1 + line_offset}" if mark is not None else ""
        problem = getattr(exc, "problem", None)
        detail = f" ({problem})" if problem else ""
        raise DocumentError(f"{what} is not valid YAML{where}{detail}") from exc
    if not isinstance(data, dict):
        raise DocumentError(f"{what} must be a set of 'key: value' lines")
    return data


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Separate '---' delimited YAML front matter from the Markdown body."""
    if not text.startswith("---"):
        raise DocumentError("no front matter: the file must start with a '---' line")
    end = re.search(r"^---\s*$", text[3:], flags=re.MULTILINE)
    if end is None:
        raise DocumentError("front matter is not closed by a second '---' line")
    # The front matter starts on the line of the opening '---', so YAML line 1 is file line 1.
    front = text[3 : 3 + end.start()]
    body = text[3 + end.end() :]
    return read_yaml_mapping(front, "front matter"), body


def markdown_blocks(body: str) -> list[Block]:
    """Paragraph and list-item blocks, each with its heading path (the H1 title is left out)."""
    blocks: list[Block] = []
    headings: list[tuple[int, str]] = []
    paragraph: list[str] = []
    section_source = ""

    def flush() -> None:
        if paragraph:
            text = plain_text(" ".join(paragraph))
            if text:
                path = tuple(title for level, title in headings if level > 1)
                blocks.append(Block(heading_path=path, text=text, source_url=section_source))
            paragraph.clear()

    for line in body.splitlines():
        heading = _HEADING.match(line)
        if heading:
            flush()
            level = len(heading.group(1))
            headings[:] = [h for h in headings if h[0] < level]
            headings.append((level, plain_text(heading.group(2))))
            section_source = ""
        elif source := _SOURCE_LINE.match(line.strip()):
            flush()
            if not is_valid_url(source.group(1)):
                raise DocumentError(f"'Source:' line is not a web address: {line.strip()!r}")
            section_source = source.group(1)
        elif not line.strip():
            flush()
        elif questions := _QUESTIONS_LINE.match(line.strip()):
            flush()
            path = tuple(title for level, title in headings if level > 1)
            blocks.append(Block(heading_path=path, text=questions.group(1), is_questions=True))
        elif _BULLET.match(line):
            flush()
            paragraph.append(_BULLET.sub("", line))
        elif _LABEL_LINE.match(line.strip()):
            flush()
            paragraph.append(line.strip())
            flush()
        else:
            paragraph.append(line.strip())
    flush()
    return blocks


def load_markdown(path: Path) -> SourceDocument:
    """A Markdown file with YAML front matter."""
    text = read_text(path)
    if not text.strip():
        raise DocumentError("empty")
    front, body = split_front_matter(text)
    meta = build_meta(front, path)
    body, dropped = _without_hidden_html(body)
    blocks = markdown_blocks(body)
    if not any(not block.is_questions for block in blocks):
        raise DocumentError("the document has front matter but no text")
    return SourceDocument(meta=meta, path=path, blocks=blocks, dropped=dropped)


# An HTML tag inside Markdown ("<span hidden>", "<div style=...>"), not an autolink (<https://>).
_HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")


def _without_hidden_html(body: str) -> tuple[str, list[DroppedText]]:
    """Markdown with raw HTML in it: hidden elements removed (as in a web page) and the other
    tags stripped, keeping the lines so the Markdown structure survives."""
    if not _HTML_TAG.search(body):
        return body, []
    from bs4 import BeautifulSoup

    from assistant.corpus.html_visibility import remove_hidden

    # Autolinks are escaped first, or the HTML parser would take them for tags and drop them.
    escaped = re.sub(r"<((?:https?|mailto):[^<>\s]+)>", r"&lt;\1&gt;", body)
    soup = BeautifulSoup(escaped, "html.parser")
    dropped = remove_hidden(soup)
    for tag in soup.find_all(("script", "style", "template", "noscript")):
        tag.decompose()
    return soup.get_text(), dropped


def sidecar_meta(path: Path) -> dict[str, Any]:
    """Metadata from '<stem>.meta.yaml' beside an HTML or PDF file, if present."""
    sidecar = path.with_name(path.name.split(".")[0] + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    return read_yaml_mapping(read_text(sidecar), sidecar.name)


def load_html(path: Path) -> SourceDocument:
    """An HTML page: main content only, metadata from the page and its sidecar file."""
    from assistant.corpus.html_text import extract_html

    return _extracted(
        path, extract_html(read_bytes(path)), "no readable main content found in the page"
    )


def load_pdf(path: Path) -> SourceDocument:
    """A PDF via pypdf, one set of blocks per page so citations can give page numbers."""
    from assistant.corpus.pdf_text import extract_pdf

    return _extracted(
        path, extract_pdf(path), "no extractable text (a scanned PDF needs OCR first)"
    )


def _extracted(path: Path, extracted: ExtractedText, empty_reason: str) -> SourceDocument:
    """A document from extracted metadata and blocks; the sidecar file's keys win."""
    blocks, dropped = extracted.blocks, extracted.dropped
    raw: dict[str, Any] = {key: value for key, value in extracted.meta.items() if value}
    raw.update(sidecar_meta(path))
    meta = _meta_with_hint(raw, path)
    if not blocks:
        if dropped:
            empty_reason += f" (all {len(dropped)} pieces of text in it are hidden from readers)"
        raise DocumentError(empty_reason)
    return SourceDocument(meta=meta, path=path, blocks=blocks, dropped=dropped)


def _meta_with_hint(raw: dict[str, Any], path: Path) -> DocumentMeta:
    try:
        return build_meta(raw, path)
    except DocumentError as exc:
        hint = path.name.split(".")[0] + SIDECAR_SUFFIX
        raise DocumentError(f"{exc} (add it in a sidecar file {hint})") from exc


LOADERS: dict[str, Callable[[Path], SourceDocument]] = {
    ".md": load_markdown,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
}


def load_document(path: Path, limits: FileLimits | None = None) -> SourceDocument:
    """Load any supported corpus file, raising DocumentError with the reason if it cannot be used."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise DocumentError(f"unsupported file type {path.suffix!r}")
    check_file(path, limits or FileLimits())
    return normalised(loader(path))


def normalised(document: SourceDocument) -> SourceDocument:
    """The document with NFKC applied to its text, as questions get in the input guard:
    typeset ligatures (the 'ﬁ' in 'beneﬁt'), full-width and other compatibility characters
    become the plain letters a parent types, so search and quoting see the same words."""
    blocks = [
        replace(
            block,
            text=unicodedata.normalize("NFKC", block.text),
            heading_path=tuple(unicodedata.normalize("NFKC", h) for h in block.heading_path),
        )
        for block in document.blocks
    ]
    meta = replace(document.meta, title=unicodedata.normalize("NFKC", document.meta.title))
    return replace(document, meta=meta, blocks=blocks)


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every corpus file under the folder, in a stable order (README files excluded).

    Symbolic links are listed even when broken or looping, so ingest can name them with the
    reason rather than skip them without a word."""
    return sorted(
        path
        for path in corpus_dir.rglob("*")
        if (path.is_symlink() or path.is_file())
        and path.suffix.lower() in SUPPORTED_SUFFIXES
        and path.name.lower() != "readme.md"
        and not any(part.startswith(".") for part in path.relative_to(corpus_dir).parts)
    )
