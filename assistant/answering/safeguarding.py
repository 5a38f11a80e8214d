"""Safeguarding check: runs first on every message and sorts it into one of two tiers, or none.

- urgent: clear danger now (someone hurt or at risk, suicidal intent, abuse disclosed, a child
  missing, a parent who cannot keep a child or themselves safe): the reply is only the urgent
  contacts.
- possible risk: worry, an indirect or partial disclosure, a third party's concern, distress:
  the question is answered as usual, under a short box of who to call if anyone is in danger.

The message is first folded to plain Latin letters (look-alikes from other scripts), then scored
as a whole and clause by clause (a disclosure is often one clause in a long message about
school) by the tier model (safety_model.py), and checked against written patterns for explicit
statements. A pattern alone puts a message at least in the possible-risk tier, and with half
the urgent score in the urgent tier; an urgent pattern (danger now in so many words: bleeding
that will not stop, a plan to end a life) puts it in the urgent tier on its own. The thresholds
are low on purpose: missing a disclosure is far worse than an unneeded box, and the box costs an
ordinary answer little. Figures: evals/README.md ("Safeguarding: two tiers").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.answering.lookalikes import fold_for_safety
from assistant.answering.safety_model import TierModel, clauses
from assistant.config import packaged_yaml
from assistant.corpus.embeddings import QueryVectors, SentenceVectors

__all__ = [
    "SafeguardingCheck",
    "SafeguardingResult",
    "clauses",
    "decide",
    "pattern_match",
    "urgent_pattern_match",
]

# Thresholds as (whole message, any one clause), chosen by cross-validation on the development
# material: the three banks' development halves, held-out sets 1-3 and parents_dev*, in five
# folds and with one fold per writer (`python -m evals.safety_cv --grid [--by-writer]`; the
# rule is in evals/README.md). A clause is short and out of context, so it must be surer than
# the whole message. P(possible) + P(urgent) at which the help box is shown...
POSSIBLE_AT = (0.16, 0.60)
# ...and P(urgent) at which the reply is the urgent contacts alone. Session 8 lowered them from
# (0.50, 0.60): the nearest examples (safety_model.py) give an urgent message a lower P(urgent)
# than the regressions alone, and the third bank's short urgent messages ("he's got a knife
# out") fell under 0.50; a risk message under the urgent threshold still gets the box. The
# clause's stays above 0.50 so that a clause whose words are plainly ordinary is not embedded.
URGENT_AT = (0.40, 0.55)
# A written risk pattern counts as half the evidence: with one, half the urgent score is enough
# ("... also my son said he's going to kill himself", inside a question about deadlines).
PATTERN_URGENT_SHARE = 0.5

URGENT = "urgent"
POSSIBLE = "possible_risk"
NONE = "none"


@dataclass(frozen=True)
class SafeguardingResult:
    """The tier (urgent, possible_risk or none), and why (for the debug output and evaluation)."""

    tier: str
    reason: str
    # The highest risk and urgency scores, as shares of their thresholds (1 = at the threshold),
    # over the texts scored (the whole message, and each clause that could reach a threshold).
    risk: float = 0.0
    urgent: float = 0.0


@dataclass(frozen=True)
class _Plan:
    """What the check scores for one message: the folded message first, then the clauses that
    could reach a clause threshold, with their text regressions' rows, and the patterns
    matched."""

    texts: list[str]
    by_words: np.ndarray
    matched: str | None
    urgent_pattern: bool


@lru_cache(maxsize=1)
def _config() -> dict[str, list[str]]:
    data: dict[str, list[str]] = packaged_yaml("safeguarding.yaml")
    return data


@lru_cache(maxsize=1)
def _patterns() -> tuple[list[re.Pattern[str]], list[re.Pattern[str]], list[re.Pattern[str]]]:
    config = _config()
    risk = [re.compile(p, re.IGNORECASE) for p in config["risk_patterns"]]
    urgent = [re.compile(p, re.IGNORECASE) for p in config["urgent_patterns"]]
    idioms = [re.compile(p, re.IGNORECASE) for p in config["idiom_patterns"]]
    return risk, urgent, idioms


@lru_cache(maxsize=1)
def _happening_now() -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in _config()["happening_now"]]


def without_idioms(text: str) -> str:
    """The text with figures of speech ("this is killing me") blanked out."""
    for idiom in _patterns()[2]:
        text = idiom.sub(" ", text)
    return text


def _cleaned(text: str) -> str:
    return without_idioms(fold_for_safety(text))


def _first_match(patterns: list[re.Pattern[str]], cleaned: str) -> str | None:
    for pattern in patterns:
        found = pattern.search(cleaned)
        if found:
            return found.group(0)
    return None


def pattern_match(text: str) -> str | None:
    """The risk pattern a message matches, once figures of speech are set aside."""
    return _first_match(_patterns()[0], _cleaned(text))


def urgent_pattern_match(text: str) -> str | None:
    """The urgent pattern (danger now, in so many words) a message matches, if any; a risk
    pattern with words saying it is going on now ("he's still in there") counts as one."""
    cleaned = _cleaned(text)
    urgent = _first_match(_patterns()[1], cleaned)
    if urgent is not None:
        return urgent
    risk = _first_match(_patterns()[0], cleaned)
    if risk is not None and _first_match(_happening_now(), cleaned) is not None:
        return f"{risk} (happening now)"
    return None


def _relative(scores: np.ndarray, thresholds: tuple[float, float]) -> float:
    """The largest score as a share of its threshold (whole message first, then clauses):
    1 or more means the threshold is reached."""
    whole, clause = thresholds
    ratios = scores / np.array([whole] + [clause] * (len(scores) - 1))
    return float(ratios.max())


class SafeguardingCheck:
    """Sorts a message into the urgent tier, the possible-risk tier or neither."""

    def __init__(self, vectors: SentenceVectors) -> None:
        self._vectors = vectors
        self._model = TierModel.saved()
        # The pipeline asks for a message's texts (to embed them up front), then checks it.
        self._plan = lru_cache(maxsize=16)(self._plan_for)

    def texts(self, text: str) -> list[str]:
        """What the check embeds for a message: its folded whole text, then each clause that
        could reach a clause threshold (see `_plan_for`)."""
        return list(self._plan(text).texts)

    def check(self, text: str, vectors: QueryVectors | None = None) -> SafeguardingResult:
        """The tier of a message: its whole text and each clause, after look-alike and
        leetspeak folding. `vectors` holds the texts' vectors if they were embedded up front
        (see `texts`); without it, they are embedded here in one batch."""
        plan = self._plan(text)
        if vectors is None:
            vectors = QueryVectors(self._vectors)
        scores = self._model.probabilities(plan.texts, vectors.queries(plan.texts), plan.by_words)
        return decide(scores, plan.matched, POSSIBLE_AT, URGENT_AT, plan.urgent_pattern)

    def _plan_for(self, text: str) -> _Plan:
        """The texts to score. Each probability is the mean of the vector regression's and the
        text regressions', so a clause whose text risk and urgency are both under
        `words_needed` stays under its threshold whatever its vector says: it can change
        neither the tier nor the reason given, so it is not embedded (most clauses of an
        ordinary question). With a risk pattern matched, half the urgent threshold counts, so
        every clause is scored."""
        folded = fold_for_safety(text)
        texts = [folded, *clauses(folded)]
        by_words = self._model.word_probabilities(texts)
        urgent_match = urgent_pattern_match(folded)
        matched = urgent_match or pattern_match(folded)
        keep = [True] * len(texts)
        if matched is None:
            # A margin for float rounding; below it the clause cannot reach the threshold.
            risk_below = self._model.words_needed(POSSIBLE_AT[1]) - 1e-6
            urgent_below = self._model.words_needed(URGENT_AT[1]) - 1e-6
            for n, row in enumerate(by_words[1:], start=1):
                keep[n] = bool(1 - row[0] >= risk_below or row[2] >= urgent_below)
        return _Plan(
            texts=[t for t, kept in zip(texts, keep, strict=True) if kept],
            by_words=by_words[np.array(keep)],
            matched=matched,
            urgent_pattern=urgent_match is not None,
        )


def decide(
    scores: np.ndarray,
    matched: str | None,
    possible_at: tuple[float, float],
    urgent_at: tuple[float, float],
    urgent_pattern: bool = False,
) -> SafeguardingResult:
    """The tier from the model's rows (whole message first, then its clauses; columns none,
    possible, urgent), the risk pattern matched if any, the (whole, clause) thresholds, and
    whether the pattern matched is an urgent one (then the reply is urgent whatever the score)."""
    risk = _relative(1 - scores[:, 0], possible_at)
    urgent = _relative(scores[:, 2], urgent_at)
    if urgent >= 1 or urgent_pattern or (matched and urgent >= PATTERN_URGENT_SHARE):
        reason = f"urgent {urgent:.2f}" + (f"; pattern: {matched}" if matched else "")
        return SafeguardingResult(URGENT, reason, risk, urgent)
    if risk >= 1 or matched:
        reason = f"risk {risk:.2f}" + (f"; pattern: {matched}" if matched else "")
        return SafeguardingResult(POSSIBLE, reason, risk, urgent)
    return SafeguardingResult(NONE, "", risk, urgent)
