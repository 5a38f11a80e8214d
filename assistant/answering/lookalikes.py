"""Look-alike letters folded to plain Latin before the safeguarding and scope checks.

"kіll himsеlf" typed (or pasted) with a Cyrillic і and е reads the same to a parent but not to a
pattern or a tokenizer. The Unicode confusables data comes from `confusable-homoglyphs` (the
Unicode Consortium's confusables.txt and script table, kept up to date by that project) rather
than a table of our own. Full-width and mathematical letters (ｋｉｌｌ, 𝐤𝐢𝐥𝐥) are already plain
after the input guard's NFKC step. Digits and symbols standing in for letters ("k1ll") are a
habit, not a Unicode property, so that small table is ours and is used only for the
safeguarding check (a general answer must keep "KS2", "Y6" and "£1.6m" as they are).
"""

from __future__ import annotations

import re
from functools import lru_cache

from confusable_homoglyphs import categories, confusables

# Only messages written mostly in Latin letters are folded: a message in Russian or Greek is
# left as it is (and answered by the not-English reply), not turned into Latin nonsense.
LATIN_SHARE = 0.5
_KEEP = frozenset({"LATIN", "COMMON"})

# Leetspeak: digits and symbols used for the letters they resemble.
_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "l",
    }
)
# A word of letters with look-alike digits or symbols inside or at its start ("k1ll", "su1c1de",
# "5elf"); the leading and trailing letters keep "!" as punctuation after a word.
_LEET_WORD = re.compile(r"(?<![\w@$!|])[a-z0-9@$!|]*[a-z][a-z0-9@$!|]*[a-z](?![\w@$|])", re.I)
_LEET_CHARS = re.compile(r"[0-9@$!|]")
# Ordinals, years and school codes that mix letters and digits: never leetspeak.
_NOT_LEET = re.compile(
    r"^(?:\d+(?:st|nd|rd|th|s|am|pm|yrs?|hrs?|mins?|ks?|m|mg|ml|kg|cm)|"
    r"(?:ks|y|yr|year|p|gcse|mp|v|x)\d+)$",
    re.I,
)


@lru_cache(maxsize=4096)
def _latin_for(char: str) -> str | None:
    """The single Latin letter a non-Latin character looks like, if there is one."""
    if categories.alias(char) in _KEEP:
        return None
    found = confusables.is_confusable(char, preferred_aliases=["latin"], greedy=True)
    for entry in found or []:
        for glyph in entry["homoglyphs"]:
            latin = glyph["c"]
            if len(latin) == 1 and latin.isalpha() and categories.alias(latin) == "LATIN":
                # TR39 folds capital I and small l to one skeleton ("l"); a capital letter
                # (Greek Ι, Cyrillic І) is read as the capital I a reader sees.
                if char.isupper() and latin == "l":
                    return "I"
                return str(latin)
    return None


def fold_lookalikes(text: str) -> str:
    """The text with look-alike letters from other scripts replaced by the Latin letters they
    imitate, when the message is mostly Latin; otherwise unchanged."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return text
    latin = sum(1 for c in letters if c.isascii() or categories.alias(c) == "LATIN")
    if latin / len(letters) < LATIN_SHARE or latin == len(letters):
        return text
    return "".join(_latin_for(c) or c for c in text)


def fold_leetspeak(text: str) -> str:
    """Words spelt with digits or symbols for letters ("k1ll", "h1mself", "su1c1de") in plain
    letters; ordinals and codes such as "1st", "KS2" and "Y6" are left alone."""

    def plain(match: re.Match[str]) -> str:
        word = match.group(0)
        if not _LEET_CHARS.search(word) or _NOT_LEET.match(word):
            return word
        return word.translate(_LEET)

    return _LEET_WORD.sub(plain, text)


def fold_for_safety(text: str) -> str:
    """Look-alike letters and leetspeak folded: what the safeguarding check reads."""
    return fold_leetspeak(fold_lookalikes(text))
