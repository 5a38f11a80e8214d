"""Read a parent's message the way a person would: spell out shorthand, find the question(s)
inside a story, split a message that asks several things, and notice one not in English.

No LLM: shorthand comes from shorthand.yaml, questions are found by their shape, and the language
by py3langid (a maintained language identifier whose model ships in the wheel) together with
wordfreq's English word list, since short informal English ("ds yr 4, LA says no") fools any
identifier on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import py3langid
from wordfreq import zipf_frequency

from assistant.config import packaged_yaml
from assistant.text import STOPWORDS, split_sentences, words

# A word at least this common in English (Zipf scale: 3 = once per million words) is ordinary.
COMMON_WORD_ZIPF = 3.0
# Below this share of ordinary English words a message may be in another language.
ENGLISH_WORD_SHARE = 0.5
# Languages the identifier chooses between: English and the languages most spoken in Stoke-on-Trent
# and England besides it (restricting the set stops short English being called Pidgin or Scots).
CANDIDATE_LANGUAGES = [
    "en", "ur", "pa", "pl", "ro", "ar", "bn", "sk", "cs", "lt", "lv", "ku", "fa", "so", "zh",
    "it", "fr", "es", "pt", "de", "tr", "hu", "bg", "ru", "uk", "sq", "ta", "gu", "hi", "ps",
]  # fmt: skip
_ASKING_START = re.compile(
    r"^(?:\d+[.)]\s*)?(?:so |and |but |also |then |ok(?:ay)? |please )*"
    r"(?:what|what's|whats|how|who|when|where|which|why|whether|can|could|do|does|did|is|isn't|"
    r"are|aren't|will|would|should|shall|must|have|has|am|may|might|any|anyone|is there)\b",
    re.I,
)
# Where one sentence asks a second thing: ", and should we ...", ", what evidence ...".
_CLAUSE_BREAK = re.compile(
    r",\s*(?:and\s+|or\s+)?(?=(?:what|how|who|when|whether|should|can|could|do|does|is|are)\b)"
    r"|\s+and\s+(?=(?:what|how|who|when|whether|should)\b)"
    r"|\s+and\s+(?=(?:can|could|will|would|do|does|is|are)\s+(?:i|we|you|they|he|she|it|"
    r"school|the|there|this|that|my|our)\b)",
    re.I,
)
_WANTS_TO_KNOW = re.compile(
    r"\b(?:want|need|like|wanted|trying) to (?:know|find out|understand)\b|\bwondering\b", re.I
)
# "what can I do if they refuse?", "and if they fob me off after that?": the parent wants the way
# to challenge a decision.
ASKS_TO_CHALLENGE = re.compile(
    r"\b(?:what (?:can|could|should) (?:i|we) do|what (?:are|r) (?:my|our) options|challenge|"
    r"appeal|disagree|dispute|(?:if|when) (?:they|the council|the la|the school|school)\b[^.?]{0,20}"
    r"(?:refuse|say no|says no|said no|won'?t|will not|turn|ignore|fob|put|name|pick|choose)|refus\w*|"
    r"turned down|fob\w* (?:me|us) off)",
    re.I,
)
_NUMBERED = re.compile(r"(?:^|\s)(?:\d|[a-c])[.)]\s+(?=\S)")
# A part must carry this many content words to be answered on its own.
MIN_PART_WORDS = 3
MAX_PARTS = 3


@dataclass(frozen=True)
class Message:
    """A message as the answer steps read it."""

    text: str  # as the parent wrote it (after the input guard)
    plain: str  # with shorthand spelled out: what is searched
    questions: tuple[str, ...]  # the question sentences, spelled out ("" story left out)
    parts: tuple[str, ...]  # separately answerable questions (one for most messages)
    language: str  # "en", or the code of the language it seems to be written in


@lru_cache(maxsize=1)
def _shorthand() -> list[tuple[re.Pattern[str], str]]:
    """Compiled shorthand patterns, longest first."""
    data = packaged_yaml("shorthand.yaml")
    patterns = []
    for section, flags in (("exact", 0), ("any_case", re.I)):
        for short, meaning in data[section].items():
            body = re.escape(str(short))
            patterns.append(
                (
                    re.compile(rf"(?<![\w'-]){body}(?:'?s)?(?![\w'-])", flags),
                    str(meaning),
                    len(body),
                )
            )
    patterns.sort(key=lambda item: -item[2])
    return [(pattern, meaning) for pattern, meaning, _ in patterns]


class _Replacement:
    """Replaces one piece of shorthand, keeping a possessive ("DS's" -> "son's")."""

    def __init__(self, meaning: str) -> None:
        self.meaning = meaning

    def __call__(self, match: re.Match[str]) -> str:
        return self.meaning + ("'s" if match.group(0).endswith("'s") else "")


def spell_out(text: str) -> str:
    """Shorthand replaced by plain words ("DS's EP" -> "son's educational psychologist")."""

    for pattern, meaning in _shorthand():
        text = pattern.sub(_Replacement(meaning), text)
    return text


def is_ordinary_word(word: str) -> bool:
    """Whether a word (in any case) is common English, e.g. 'HIM' or 'NEVER' written in capitals."""
    return word.lower() in STOPWORDS or zipf_frequency(word.lower(), "en") >= COMMON_WORD_ZIPF


@lru_cache(maxsize=1)
def _identifier() -> py3langid.langid.LanguageIdentifier:
    identifier = py3langid.langid.LanguageIdentifier.from_modelpath(
        py3langid.langid.MODEL_DIR / py3langid.langid.MODEL_FILE, norm_probs=True
    )
    identifier.set_languages(CANDIDATE_LANGUAGES)
    return identifier


def language_of(text: str) -> str:
    """'en' unless the message is mostly not English words and reads as another language."""
    tokens = re.findall(r"[^\W\d_]+", text)
    if not tokens:
        return "en"
    english = sum(zipf_frequency(t.lower(), "en") >= COMMON_WORD_ZIPF for t in tokens)
    if english / len(tokens) >= ENGLISH_WORD_SHARE:
        return "en"
    language, _probability = _identifier().classify(text)
    return str(language)


def _content_count(text: str) -> int:
    return len([w for w in words(text) if w not in STOPWORDS])


def _is_question(sentence: str) -> bool:
    return sentence.rstrip().endswith("?") or bool(_ASKING_START.search(sentence.strip()))


def question_sentences(text: str) -> list[str]:
    """The sentences that ask something, in order; the last sentence if none looks like one."""
    sentences = [s for line in text.splitlines() for s in split_sentences(line, casual=True)]
    sentences = [piece for s in sentences for piece in _NUMBERED.split(s) if piece.strip()]
    asked = [s for s in sentences if _is_question(s)]
    return asked or sentences[-1:]


def split_parts(questions: list[str]) -> list[str]:
    """Separately answerable parts: each asking sentence, and each asking clause of a long one."""
    parts: list[str] = []
    for question in questions:
        clauses = [c.strip(" ,") for c in _CLAUSE_BREAK.split(question) if c.strip(" ,")]
        # "We've moved to Leek, do we still ...?" is one question with its context first; with
        # two questions after the context ("we're on the waiting list, how long is the wait and
        # can school help meanwhile?") the context goes with the first.
        asks_first = bool(_is_question(clauses[0]) or _WANTS_TO_KNOW.search(clauses[0]))
        if len(clauses) > 2 and not asks_first and all(_is_question(c) for c in clauses[1:]):
            clauses, asks_first = [f"{clauses[0]}, {clauses[1]}", *clauses[2:]], True
        if (
            len(clauses) > 1
            and asks_first
            and all(_content_count(c) >= MIN_PART_WORDS for c in clauses)
        ):
            parts.extend(clauses)
        else:
            parts.append(question)
    # A fragment too short to answer alone belongs with the part before it.
    merged: list[str] = []
    for part in parts:
        if merged and _content_count(part) < MIN_PART_WORDS:
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return merged[:MAX_PARTS]


def read_message(text: str) -> Message:
    """Spell out shorthand, find the questions and parts, and tell the language."""
    plain = spell_out(text)
    questions = question_sentences(plain)
    return Message(
        text=text,
        plain=plain,
        questions=tuple(questions),
        parts=tuple(split_parts(questions)),
        language=language_of(text),
    )
