"""Input guard: the first step. Untrusted text becomes plain, bounded data."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

from assistant.answering.lookalikes import fold_lookalikes

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>")
_SCRIPT_BLOCK = re.compile(r"<\s*(script|style)[^>]*>.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)
_MD_IMAGE_OR_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Text addressed to an AI model rather than to a parent: it is never repeated in an answer.
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.!?]{0,30}\b(?:previous|prior|above|earlier|all|"
    r"your|these|the)\b[^.!?]{0,20}\b(?:instructions?|prompts?|rules|guidelines|directions)\b"
    r"|\b(?:system prompt|developer mode|jailbreak|you are now|from now on you|act as an?|"
    r"pretend (?:to be|you are)|reveal your|new instructions|assistant must|the ai must|"
    r"language model|as an ai)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class GuardedInput:
    """A question made safe to process, with notes for the reader about anything changed."""

    text: str
    is_empty: bool
    was_trimmed: bool = False
    notes: list[str] = field(default_factory=list)


def neutralise_markup(text: str) -> str:
    """Plain text only: scripts, tags, markdown links and control characters removed;
    compatibility characters (full-width, mathematical letters) and look-alike letters from
    other scripts become plain Latin, so every later step (safeguarding, scope, search) reads
    the words a parent sees."""
    text = fold_lookalikes(unicodedata.normalize("NFKC", text))
    text = _SCRIPT_BLOCK.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = html.unescape(text)
    text = _TAG.sub(" ", text)  # entities such as &lt;script&gt; decode into tags: strip again
    text = _MD_IMAGE_OR_LINK.sub(r"\1", text)
    text = _CONTROL.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


def guard_input(question: str | None, max_chars: int) -> GuardedInput:
    """Clean the question, and trim it at a word boundary if it is over the limit."""
    text = neutralise_markup(question or "")
    if not text or not re.search(r"\w", text):
        return GuardedInput(text="", is_empty=True)
    if len(text) <= max_chars:
        return GuardedInput(text=text, is_empty=False)
    cut = text[:max_chars]
    if " " in cut[max_chars // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return GuardedInput(text=cut.rstrip(), is_empty=False, was_trimmed=True)


def looks_like_instruction(text: str) -> bool:
    """True for text that tries to instruct an AI (prompt injection), wherever it came from."""
    return bool(_INSTRUCTION.search(text))
