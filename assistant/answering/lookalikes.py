"""Look-alike letters folded to plain Latin before the safeguarding check.

"kіll himsеlf" typed (or pasted) with a Cyrillic і and е reads the same to a parent but not to a
pattern or a tokenizer. The Unicode confusables data comes from `confusable-homoglyphs` (the
Unicode Consortium's confusables.txt and script table, kept up to date by that project) rather
than a table of our own.
"""

from __future__ import annotations

from functools import lru_cache

from confusable_homoglyphs import categories, confusables

# Only messages written mostly in Latin letters are folded: a message in Russian or Greek is
# left as it is (and answered by the not-English reply), not turned into Latin nonsense.
LATIN_SHARE = 0.5
_KEEP = frozenset({"LATIN", "COMMON"})


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
