"""Input guard: the first step. Untrusted text becomes plain, bounded data."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from assistant.answering.lookalikes import fold_lookalikes
from assistant.privacy import without_personal_details

# Every pattern here runs in time linear in the text (bounded repeats, no nested quantifiers),
# and runs only on text already cut to a bounded length: a long or crafted message cannot stall
# the server for other parents.
_TAG = re.compile(r"<\s{0,20}/?\s{0,20}[a-zA-Z][^<>]{0,2000}>")
_SCRIPT_OPEN = re.compile(r"<\s{0,20}(script|style)\b", re.IGNORECASE)
_MD_IMAGE_OR_LINK = re.compile(r"!?\[([^\[\]]{0,300})\]\([^()]{0,1000}\)")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
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


# How much raw text is read per allowed character (markup and spaces are removed first).
RAW_FACTOR = 4


@dataclass(frozen=True)
class GuardedInput:
    """A question made safe to process, with notes for the reader about anything changed."""

    text: str
    is_empty: bool
    was_trimmed: bool = False
    notes: list[str] = field(default_factory=list)


def _drop_script_blocks(text: str) -> str:
    """Text with each <script>/<style> block removed up to its closing tag (or the end).

    A scan rather than a `<script>.*?</script>` pattern, whose cost grows with the square of
    the length when many blocks are opened and never closed.
    """
    out, position = [], 0
    lower = text.lower()
    while (match := _SCRIPT_OPEN.search(text, position)) is not None:
        out.append(text[position : match.start()])
        closing = lower.find(f"</{match.group(1).lower()}", match.end())
        if closing < 0:
            return " ".join(out)
        end = lower.find(">", closing)
        position = len(text) if end < 0 else end + 1
        out.append(" ")
    out.append(text[position:])
    return "".join(out)


def neutralise_markup(text: str) -> str:
    """Plain text only: scripts, tags, markdown links and control characters removed; any lone
    surrogate (not a character: it cannot be encoded) replaced; compatibility characters
    (full-width, mathematical letters) and look-alike letters from other scripts become plain
    Latin, so every later step (safeguarding, scope, search) reads the words a parent sees."""
    text = _SURROGATE.sub("\ufffd", text)
    text = fold_lookalikes(unicodedata.normalize("NFKC", text))
    text = _drop_script_blocks(text)
    text = _TAG.sub(" ", text)
    text = html.unescape(text)
    text = _TAG.sub(" ", text)  # entities such as &lt;script&gt; decode into tags: strip again
    text = _MD_IMAGE_OR_LINK.sub(r"\1", text)
    text = _CONTROL.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


def guard_input(question: str | None, max_chars: int) -> GuardedInput:
    """Clean the question, and trim it at a word boundary if it is over the limit.

    The raw text is cut to a few times the limit before any pattern reads it (markup removal
    can only shorten it), so the work per message is bounded whatever its length.
    """
    raw = question if isinstance(question, str) else ""
    text = neutralise_markup(raw[: max_chars * RAW_FACTOR])
    if not text or not re.search(r"\w", text):
        return GuardedInput(text="", is_empty=True)
    if len(text) <= max_chars and len(raw) <= max_chars * RAW_FACTOR:
        return GuardedInput(text=text, is_empty=False)
    cut = text[:max_chars]
    if " " in cut[max_chars // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return GuardedInput(text=cut.rstrip(), is_empty=False, was_trimmed=True)


def clean_turn(text: object, max_chars: int) -> str:
    """An earlier turn of the conversation made safe to read: cut to a bounded length, with lone
    surrogates and control characters replaced (its wording is otherwise kept as written)."""
    if not isinstance(text, str):
        return ""
    return _CONTROL.sub(" ", _SURROGATE.sub("\ufffd", text[: max_chars * RAW_FACTOR]))


def guard_message(
    question: str | None, history: Sequence[dict[str, str]], max_chars: int
) -> tuple[GuardedInput, list[dict[str, str]]]:
    """Step 1: the message as plain, bounded text with personal details dropped, and the earlier
    turns made safe to read (the parent's own turns without personal details too).

    Details are dropped before the question is understood, so "DOB" or a child's name is never
    taken for what is asked (and never reaches a debug field).
    """
    guarded = guard_input(question, max_chars)
    if guarded.is_empty:
        return guarded, []
    text = without_personal_details(guarded.text)
    guarded = replace(guarded, text=text, is_empty=not re.search(r"\w", text))
    turns = []
    for turn in history:
        content = clean_turn(turn.get("content"), max_chars)
        if turn.get("role") == "user":
            content = without_personal_details(content)
        turns.append({**turn, "content": content})
    return guarded, turns


def looks_like_instruction(text: str) -> bool:
    """True for text that tries to instruct an AI (prompt injection), wherever it came from."""
    return bool(_INSTRUCTION.search(text))
