"""Personal details in a parent's message: replaced before logging, dropped before understanding.

Our own patterns rather than a PII library: Presidio (the maintained choice) finds names only with
a spaCy language model, and no spaCy English model ships on PyPI, so offline it would add a
dependency without finding a single name; its pattern recognisers are US-centred (no UK phone,
postcode or "my daughter Amy" cue), and it fetched a public-suffix list from the internet at run
time. `benchmarks/redaction_quality.py` measures both on a labelled set of 20 messages: ours
removed 40/40 details and kept every ordinary word, Presidio (patterns on a blank spaCy pipeline)
removed 10/40. Every pattern here is linear-time (no nested quantifiers): long input cannot stall it.
"""

from __future__ import annotations

import re

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_NUMERIC_DATE = r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"
_WORDED_DATE = rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"
_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("[email]", re.compile(r"\b[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}\b")),
    # NHS numbers: 10 digits, often written 3-3-4.
    ("[nhs number]", re.compile(r"\b\d{3}[\s-]?\d{3}[\s-]?\d{4}\b")),
    # UK phone numbers: 01782 231863, 07700 900123, +44 7700 900123, 0800 1111.
    ("[phone]", re.compile(r"(?:\+44\s?\(?0?\)?\s?|\b0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b")),
    ("[postcode]", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)),
    # Dates (a date of birth is personal): 03/04/2015, 3 April 2015.
    ("[date]", re.compile(rf"\b{_NUMERIC_DATE}\b")),
    ("[date]", re.compile(rf"\b{_WORDED_DATE}\b", re.IGNORECASE)),
]
# A date of birth: the only date dropped before understanding (other dates feed the deadline
# calculator: "we asked on 3 March 2026").
_BIRTH_DATE = re.compile(
    rf"\b(?:dob|d\.o\.b\.?|date of birth|born(?: on)?|birthday(?: is)?)\s*[:=-]?\s*"
    rf"(?:{_NUMERIC_DATE}|{_WORDED_DATE})",
    re.IGNORECASE,
)
_NAME_WORD = r"[A-Z][a-z'’-]+|[A-Z]{2,}"
_RELATIVE = (
    r"(?:my|our) (?:son|daughter|child|boy|girl|kid|baby|grandson|granddaughter|nephew|niece|"
    r"stepson|stepdaughter|foster (?:son|daughter|child)|partner|husband|wife)"
)
# Names after a cue: "my name is", "I'm", "called", or a relationship word, then a capitalised
# word (or one in capitals); one or two words.
_NAME_CUES = re.compile(
    rf"\b((?i:(?:my|his|her|their|our) name is|name's|i am|i'm|im|(?:is|am|are|was|'s) (?:called|named)|this is|{_RELATIVE})\s*,?\s+)"
    rf"((?:{_NAME_WORD})(?:\s+(?:{_NAME_WORD}))?)\b"
)
# After "my name is" / "called" / "named" the next words are a name whatever their case.
_NAME_ANY_CASE = re.compile(
    r"\b((?i:(?:my|his|her|their|our) name is|name's|(?:is|am|are|was|'s) (?:called|named))\s*,?\s+)([A-Za-z'’-]+(?:\s+[A-Za-z'’-]+)?)\b"
)
# A message that opens with a name: "Jane Example here, ..."
_SIGNED = re.compile(r"^((?:[A-Z][a-z'’-]+\s+){0,1}[A-Z][a-z'’-]+)(\s+here\b)")
# Words that follow those cues without being names.
_NOT_NAMES = {
    "i", "in", "at", "on", "year", "reception", "stoke", "the", "a", "an", "not", "so", "very",
    "really", "worried", "autistic", "disabled", "deaf", "blind", "who", "what", "just", "sorry",
    "is", "has", "was", "and", "but", "with", "who's", "going", "getting", "trying", "looking",
    "asking", "writing", "here", "sen", "send", "ehc", "ehcp", "adhd", "asd", "sencos", "senco",
    "mum", "dad", "mother", "father", "parent", "carer", "struggling", "nonverbal", "non-verbal",
    "currently", "now", "still", "also", "only", "age", "aged", "years", "months", "starting",
    "due", "being", "having", "unable", "able", "off", "out", "home", "told",
    # Who a parent says they are without naming themselves.
    "polish", "pakistani", "british", "english", "urdu", "punjabi", "romanian", "muslim",
    "christian", "single", "new", "from", "foster", "grandma", "grandad", "nan",
}  # fmt: skip


def _name_words(match: re.Match[str]) -> list[str]:
    """The words of a cued name that are not ordinary words ('Amy Example' → both)."""
    words = []
    for word in match.group(2).split():
        if word.lower() in _NOT_NAMES:
            break
        words.append(word)
    return words


def _names(text: str) -> set[str]:
    """Each word of every name found after a cue, as written.

    A word in capitals counts only in a message written in capitals ("MY SON TOM"): elsewhere
    it is an acronym ("a team called SENMAS").
    """
    letters = [c for c in text if c.isalpha()]
    shouting = sum(c.isupper() for c in letters) > 0.6 * max(len(letters), 1)
    found: set[str] = set()
    for pattern in (_NAME_CUES, _NAME_ANY_CASE, _SIGNED):
        for match in pattern.finditer(text):
            found.update(_name_words(match) if pattern is not _SIGNED else match.group(1).split())
    return {w for w in found if len(w) > 1 and (shouting or not w.isupper())}


def _replace_names(text: str, placeholder: str) -> str:
    """Every occurrence of a name word, cued or repeated later (any case), replaced."""
    names = _names(text)
    if not names:
        return text
    words = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
    # A name written twice in a row ("[name] [name]") becomes one placeholder.
    text = re.sub(rf"\b(?:{words})\b(?:\s+\b(?:{words})\b)?", placeholder, text, flags=re.I)
    return text


def redact(text: str) -> str:
    """The text with emails, phone and NHS numbers, postcodes, dates and names replaced by
    placeholders such as "[email]" (for what is written to a log)."""
    for placeholder, pattern in _RULES:
        text = pattern.sub(placeholder, text)
    return _replace_names(text, "[name]")


_LABEL = (
    r"(?:(?:my )?(?:e-?mail(?: address)?|phone(?: number)?|mobile(?: number)?|tel(?:ephone)?|"
    r"number|nhs(?: number| no\.?)?|postcode|address)(?: is)?\s*[:=-]?\s*)"
)
_DROPPED = re.compile(rf"(?i:{_LABEL})?\[(?:email|phone|nhs number|postcode)\]")
_INTRODUCED = re.compile(
    r"\b(?i:(?:my|his|her|their|our) name is|name's|i am|i'm|this is|"
    r"(?:is|am|are|was|'s) (?:called|named))\s*,?\s*\[name\]|\[name\]\s+here\b"
)
_CHILD = re.compile(
    r"\b(?:my|our) (?:son|daughter|child|boy|girl|kid|baby|grandson|granddaughter|nephew|niece|"
    r"stepson|stepdaughter|foster (?:son|daughter|child))\b",
    re.IGNORECASE,
)
_CUED_NAME = re.compile(rf"\b({_RELATIVE})\s*,?\s+\[name\]", re.IGNORECASE)
# What is left of a sentence that only introduced the family ("my daughter.").
_LEFTOVER_WORDS = set(
    "my our and i am i'm im we are is the a mum dad this son daughter child boy girl kid baby "
    "grandson granddaughter nephew niece stepson stepdaughter foster partner husband wife at "
    "on in".split()
)


def _leftover(sentence: str) -> bool:
    return all(word in _LEFTOVER_WORDS for word in re.findall(r"[a-z']+", sentence.lower()))


def without_personal_details(text: str) -> str:
    """The message with personal details removed, for understanding the question.

    Names, emails, phone and NHS numbers, postcodes and dates of birth are dropped with their
    labels ("phone 07700 900123", "DOB 03/04/2015", "my name is Jane"), so they cannot be
    mistaken for what is asked; a child's name used later becomes "my child" ("can Amy have?"
    → "can my child have?"); a sentence left with nothing but "my daughter" goes; other dates
    stay (the deadline calculator needs them).
    """
    text = _BIRTH_DATE.sub(" ", text)
    for placeholder, pattern in _RULES:
        if placeholder != "[date]":
            text = pattern.sub(placeholder, text)
    has_child = bool(_CHILD.search(text))
    text = _replace_names(text, "[name]")
    text = _CUED_NAME.sub(r"\1", text)
    text = _DROPPED.sub(" ", text)
    text = _INTRODUCED.sub(" ", text)
    text = text.replace("[name]", "my child" if has_child else " ")
    text = re.sub(r"\([\s,;:]*\)", " ", text)
    sentences = re.split(r"(?<=[.!?])\s+", text)
    text = " ".join(s for s in sentences if not _leftover(s))
    text = re.sub(r"\s+([,.;:?!])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    text = re.sub(r"[,;:]+([.?!])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip(" ,;:")
