"""What an ingest read, as one hash, kept next to the index with the generation it produced: an
app start whose corpus, code and settings hash the same skips re-reading and re-chunking the
whole corpus (about 1 s of CPU here, which parsing PDFs makes grow with the corpus) and opens
that generation directly.

Everything that can change what an ingest builds is hashed: every file under the corpus folder
(bytes, not dates: a copied or touched file is not a change), the project's code and YAML, the
settings that shape chunks and vectors, the model folder, and the versions of the libraries that
parse files. Anything else that differs only costs one ordinary ingest check at the next start.
With a Chroma server (CHROMA_HOST) nothing is recorded: several machines share the index there,
each with its own corpus folder, so each start checks.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from pathlib import Path

from assistant.config import Settings
from assistant.corpus.embeddings import model_path

FINGERPRINT_FILE = "ingest-fingerprint.json"
# Settings an ingest's result depends on (the rest are about answering or serving).
INGEST_SETTINGS = (
    "corpus_dir",
    "collection_name",
    "embedding_batch_size",
    "chunk_max_tokens",
    "chunk_min_tokens",
    "max_text_file_mb",
    "max_pdf_file_mb",
)
PARSING_LIBRARIES = (
    "beautifulsoup4",
    "lxml",
    "pdfminer.six",
    "pypdf",
    "tinycss2",
    "tokenizers",
    "transformers",
    "torch",
    "sentence-transformers",
    "snowballstemmer",
)


def ingest_fingerprint(settings: Settings) -> str:
    """A hash (64 hex digits) of everything an ingest of `settings.corpus_dir` reads."""
    digest = hashlib.sha256()
    for name in INGEST_SETTINGS:
        digest.update(f"{name}={getattr(settings, name)}\n".encode())
    digest.update(f"model={model_path(settings)}\n".encode())
    for library in PARSING_LIBRARIES:
        try:
            version = metadata.version(library)
        except metadata.PackageNotFoundError:
            version = "none"
        digest.update(f"{library}=={version}\n".encode())
    code = Path(__file__).resolve().parent.parent  # the assistant package
    _hash_files(digest, code, [p for p in code.rglob("*") if p.suffix in {".py", ".yaml"}])
    if settings.corpus_dir.is_dir():
        _hash_files(digest, settings.corpus_dir, list(settings.corpus_dir.rglob("*")))
    return digest.hexdigest()


def _hash_files(digest: hashlib._Hash, root: Path, paths: list[Path]) -> None:
    for path in sorted(paths):
        digest.update(f"\0{path.relative_to(root).as_posix()}\0".encode())
        try:
            if path.is_file():  # a folder or a broken link hashes as its name alone
                digest.update(path.read_bytes())
        except OSError as exc:  # unreadable now: the ingest check will say why
            digest.update(f"unreadable {exc.errno}".encode())


def _record_path(settings: Settings) -> Path | None:
    return None if settings.chroma_host else settings.index_dir / FINGERPRINT_FILE


def record_ingest(settings: Settings, fingerprint: str, generation: int) -> None:
    """Note that the corpus hashing to `fingerprint` is indexed in `generation` (live now)."""
    path = _record_path(settings)
    if path is None:
        return
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"generation": generation, "fingerprint": fingerprint}))
    os.replace(temporary, path)  # whole or not at all, even if the process dies here


def ingest_is_current(settings: Settings, live_generation: int | None) -> bool:
    """Whether the live generation was built from exactly what the corpus holds now (so an
    ingest would find nothing to do)."""
    path = _record_path(settings)
    if path is None or live_generation is None or not path.is_file():
        return False
    try:
        recorded = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    return isinstance(recorded, dict) and bool(
        recorded.get("generation") == live_generation
        and recorded.get("fingerprint") == ingest_fingerprint(settings)
    )
