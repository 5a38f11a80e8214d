"""Plain-text helpers shared by chunking, lexical search, composition and evaluation."""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    "e.g i.e etc eg ie no nos dr mr mrs ms st vs v reg regs s ss para paras approx cf co ltd inc "
    "min max fig ch sec art nr tel mon tue wed thu fri sat sun jan feb mar apr jun jul aug sep "
    "sept oct nov dec".split()
)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[\"'“‘(\[]?[A-Z0-9£])")
# Parents often write in lower case ("loads of ppl. if they refuse ..."): in a message, a
# full stop or question mark followed by any letter ends a sentence.
_CASUAL_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[\"'“‘(\[]?[A-Za-z0-9£])")
_WORD = re.compile(r"[a-z0-9£]+(?:[.'’][a-z0-9]+)*")

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    im ive id dont doesnt didnt cant wont isnt arent wasnt hi hello please thanks thank also get
    got go going know want wanted really ok okay hey anyone someone told tell us whats hows
    theres""".split()
)

_PARAGRAPH_REF = re.compile(
    r"(?:\bCoP|Code of Practice,?|\bparagraphs?|\bparas?\.?)\s+(?:paragraphs?\s+)?"
    r"(\d{1,2}\.\d{1,3})(?:\s*(?:-|–|to|and)\s*(\d{1,2}\.\d{1,3}))?",
    re.IGNORECASE,
)
_LEADING_PARAGRAPH = re.compile(r"^(\d{1,2}\.\d{1,3})\s+[A-Z]")


def split_sentences(text: str, casual: bool = False) -> list[str]:
    """Split a paragraph into sentences, keeping abbreviations and decimals intact.

    `casual` is for parents' messages, where a sentence may start in lower case.
    """
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return []
    pieces: list[str] = []
    start = 0
    for match in (_CASUAL_SENTENCE_BREAK if casual else _SENTENCE_BREAK).finditer(text):
        candidate = text[start : match.start()].rstrip()
        last_word = re.findall(r"([A-Za-z.]+)\.[\"'”’)]?$", candidate)
        if last_word and last_word[-1].lower().strip(".") in _ABBREVIATIONS:
            continue
        # A single capital initial ("J. Smith") does not end a sentence either.
        if re.search(r"(?:^|\s)[A-Z]\.$", candidate):
            continue
        pieces.append(candidate)
        start = match.end()
    pieces.append(text[start:].strip())
    return [piece for piece in pieces if piece]


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """Snowball stem of a lower-case word; numbers and references are kept as they are."""
    if any(ch.isdigit() for ch in word):
        return word
    return str(_stemmer().stemWord(word))


def words(text: str) -> list[str]:
    """Lower-case word tokens, keeping references such as 9.14 and £1.6m whole."""
    lowered = text.lower().replace("’", "'")
    tokens = []
    for token in _WORD.findall(lowered):
        token = token.strip(".'")
        if token.endswith("'s"):
            token = token[:-2]
        if token:
            tokens.append(token)
    return tokens


def content_terms(text: str) -> list[str]:
    """Stemmed content words: the tokens used by BM25 and by overlap scores.

    Contractions (I'm, they've, won't) are function words, so they are left out too.
    """
    return list(_content_terms(text))


# Remembered: every answer scores the same corpus passages and sentences again (about 2 ms an
# answer); 16k texts of at most a passage each is a few megabytes.
@lru_cache(maxsize=16_384)
def _content_terms(text: str) -> tuple[str, ...]:
    text = _PREFIXED.sub(r"\1", text)
    return tuple(stem(t) for t in words(text) if t not in STOPWORDS and "'" not in t)


# "re-assessment" is one word, not "re" and "assessment": a question about an assessment must
# not match a passage about a re-assessment as well as one about the assessment itself.
_PREFIXED = re.compile(r"\b(re|co|pre|non)-(?=[a-z])", re.IGNORECASE)


def paragraph_refs(text: str) -> list[str]:
    """Code of Practice paragraph references in a text, e.g. ['9.14', '9.92-9.121']."""
    refs: list[str] = []
    for match in _PARAGRAPH_REF.finditer(text):
        ref = match.group(1) if not match.group(2) else f"{match.group(1)}-{match.group(2)}"
        if ref not in refs:
            refs.append(ref)
    leading = _LEADING_PARAGRAPH.match(text)
    if leading and leading.group(1) not in refs:
        refs.insert(0, leading.group(1))
    return refs


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace so texts can be compared exactly."""
    return re.sub(r"\s+", " ", text).strip()
