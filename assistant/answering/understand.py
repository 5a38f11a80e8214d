"""Understand the question: make follow-ups standalone, expand jargon, notice other areas.

Works without an LLM: the topic of earlier turns (glossary terms, else their content words)
is carried into a follow-up such as "how long does that take?".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.answering.message import ASKS_TO_CHALLENGE, read_message, spell_out
from assistant.config import packaged_yaml
from assistant.corpus.glossary import Glossary
from assistant.text import STOPWORDS, split_sentences, words

# Pronouns that can be replaced by the topic noun phrase.
_IT = re.compile(r"\bit\b", re.IGNORECASE)
_REPLACEABLE = re.compile(r"\b(that|it|this|those|these)\b", re.IGNORECASE)
_ANAPHOR = re.compile(
    r"\b(that|it|this|those|these|they|them|their|he|she|him|her|there|one|same)\b", re.IGNORECASE
)
_CONNECTIVE = re.compile(
    r"^\s*(?:and|but|also|so|then|ok(?:ay)?|what about|how about|what if|and what|and how|"
    r"and if|what else|anything else|why|how come|really)\b",
    re.IGNORECASE,
)
_ASKS_WHO_THEY_ARE = re.compile(
    r"^\s*(?:and |so |ok(?:ay)? )?(?:who|what) (?:are|is|was|were) (?:they|it|that|those|these)\b",
    re.IGNORECASE,
)
# "... too?", "... as well?", "... then?" add to or build on what was asked before.
_ADDS_TO_EARLIER = re.compile(
    r"\b(?:too|as well|also|instead|either|then|after that)\s*[?.!]*\s*$", re.IGNORECASE
)
# "who do I talk to about it?" points back at the earlier turns even in a longer question.
_POINTS_BACK = re.compile(r"\babout (?:it|that|this)\b(?! (?:is|was|being))", re.IGNORECASE)
POINTS_BACK_MAX_WORDS = 9
# "does his old plan still count here?" after "just moved to Stoke, he has an EHCP" names the
# plan, yet leans on the turn before: a short question with one of these words continues the
# conversation even when it names a glossary term (dev5 follow-ups 71.7 -> 76.1 %, send_eval's
# +1.6 points; "it", "that" and "they" are left to the rule below, since "what is a personal
# budget and how does it work?" starts a new topic).
_CONTINUES = re.compile(
    r"\b(?:his|her|their|its|here|there|still|again|those|these)\b", re.IGNORECASE
)
CONTINUES_MAX_WORDS = 6
_QUESTION_WORDS = {"what", "how", "who", "when", "where", "which", "why", "long", "much", "many"}
# Verbs that carry no topic ("how do I ask for ..."), skipped when finding the subject.
_TOPIC_SKIP = _QUESTION_WORDS | {
    "ask",
    "asking",
    "get",
    "apply",
    "find",
    "help",
    "make",
    "give",
    "take",
    "say",
    "said",
    "see",
    "tell",
    "explain",
    "mean",
    "work",
    "works",
    "happen",
    "happens",
    "stoke",
    "stoke-on-trent",
    "child",
    "son",
    "daughter",
    "kid",
    "kids",
    "my",
    "please",
}
_DEFINITION = re.compile(
    r"\b(?:what(?:'s| is| are| does)|who (?:is|are))\b[^?]{0,40}\b(?:mean|stand for|short for)\b"
    r"|\bmeaning of\b|\bdefin(?:e|ition)\b|\bstands? for\b"
    r"|^\s*(?:what|who)(?:'s|s| is| are)\s+(?:an?\s+|the\s+)?[\w'-]+(?:\s+[\w'-]+){0,3}\s*\??\s*$",
    re.IGNORECASE,
)
# A question with this many content words and no pronoun stands on its own.
STANDALONE_CONTENT_WORDS = 4
# A parent asking what to do if the council says no wants the way to challenge it, and "and if
# they refuse?" shares no word with the passages that give it: these words join the search
# (development halves: dev2 70.2 -> 79.8 % of facts, its follow-ups 64.3 -> 78.6 %; dev +0.4).
CHALLENGE_WORDS = (
    "(how to challenge the decision: mediation, appeal to the tribunal, complaint, Ombudsman)"
)
# ...but an exclusion and a school transport refusal have routes of their own, and the SEND
# words above pulled "permanently excluded ... can I fight it?" to tribunal appeals about
# ceasing a plan. The first route whose pattern the message matches is used (dev +0.4,
# send_eval +0.5 points; dev5 hit@3 +1.6).
CHALLENGE_ROUTES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"\b(?:exclu\w*|suspen\w*)", re.IGNORECASE),
        "(how to challenge an exclusion: the governing board, an independent review panel, "
        "a SEN expert)",
    ),
    (
        re.compile(r"\b(?:transport|taxi|minibus|bus pass|travel assistance)\b", re.IGNORECASE),
        "(how to challenge a school transport decision: a review by a senior officer, then an "
        "independent appeal panel)",
    ),
)


# "applied, they refused. what now": a bare "what now?" asks how to challenge only after a
# refusal (after "we got the plan! what now?" it does not).
_WHAT_NOW = re.compile(
    r"\b(?:what now|now what|what next|what do (?:i|we) do now|where do (?:i|we) go from here)\b",
    re.IGNORECASE,
)
_REFUSED = re.compile(
    r"\b(?:refus\w*|said no|says no|turned (?:us |me |him |her )?down|rejected|knocked back)",
    re.IGNORECASE,
)


def asks_to_challenge(questions: str, message: str) -> bool:
    """Whether a message asks how to challenge a decision: its questions say so, or a bare
    "what now?" follows a refusal told in the message."""
    return bool(
        ASKS_TO_CHALLENGE.search(questions)
        or (_WHAT_NOW.search(questions) and _REFUSED.search(message))
    )


def challenge_words(message: str) -> str:
    """The words of the way to challenge the decision a message is about (see above)."""
    for pattern, route in CHALLENGE_ROUTES:
        if pattern.search(message):
            return route
    return CHALLENGE_WORDS


@dataclass(frozen=True)
class Query:
    """The question as the rest of the pipeline sees it."""

    original: str
    standalone: str
    search_text: str
    is_follow_up: bool
    topic: str = ""
    other_area: str | None = None
    asks_definition: bool = False
    # The question sentences of a story (searched beside the whole message), or "".
    focus: str = ""
    # Separately answerable parts of a message that asks several things (empty for one), as
    # searched (shorthand and jargon spelled out) and as the parent wrote them (for labels).
    parts: tuple[str, ...] = ()
    part_labels: tuple[str, ...] = ()
    # A follow-up's own words (what the new turn asks), and how many content words it has.
    own_text: str = ""
    own_words: int = 0
    # The question sentences of the turn being followed up (its topic), spelled out.
    context_text: str = ""
    # The same, one entry per earlier turn, the most recent first.
    context_parts: tuple[str, ...] = ()
    # The last answer's text: passages the parent has just read rank lower for a follow-up.
    previous_answer: str = ""
    language: str = "en"


def known_places() -> set[str]:
    """Every place name in areas.yaml, lower case (Stoke's own and other councils')."""
    data = packaged_yaml("areas.yaml")
    return {place.lower() for place in [*data["stoke_places"], *data["other_areas"]]}


def _place_pattern(name: str, cued: bool = False) -> re.Pattern[str]:
    flexible = re.escape(name).replace(r"\ ", r"[\s-]+")
    if not cued:
        return re.compile(rf"(?<![\w-]){flexible}(?![\w-])")
    # Other places count only with a cue ("in Reading", "Derby council", "Cheadle (staffs) mum
    # here"), since many place names are also ordinary words at the start of a sentence.
    # Each alternative names the place itself as a group (place0, place1, ...): see
    # `_place_start`.
    return re.compile(
        rf"(?:\b(?:in|to|near|at|live|lives|living|moving|outside)\s+(?P<place0>{flexible})"
        rf"(?![\w-])"
        # "from" only before a capitalised name: "from reading the report" is not a place.
        rf"|\bfrom\s+(?P<place1>(?-i:{flexible}))(?![\w-])"
        rf"|(?<![\w-])(?P<place2>{flexible})(?:'s)?\s+"
        rf"(?:council|county|city|borough|local offer|area|LA)\b"
        rf"|(?<![\w-])(?P<place3>{flexible})\s*\("
        rf"(?:staffs|staffordshire|cheshire|shropshire|derbyshire)\)"
        rf"|(?<![\w-])(?P<place4>{flexible})\s+(?:mum|mam|mom|dad|parent|carer|family|based)\b)",
        re.IGNORECASE,
    )


def _place_start(match: re.Match[str]) -> int:
    """Where the place name itself starts in a cued match ("to Crewe" → at "Crewe")."""
    return min(match.start(name) for name, found in match.groupdict().items() if found)


# "moving to Crewe": the place a family is moving to is the council that will hold the plan.
_DESTINATION = re.compile(
    r"\b(?:mov(?:e|ed|ing)|relocat(?:e|ed|ing)|transferr?(?:ed|ing)?)\s+(?:over\s+|up\s+|down\s+)?"
    r"(?:from\s+[^.,;!?]{1,40}?\s+)?(?:to|into)\s*$",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _place_patterns() -> tuple[list[re.Pattern[str]], list[tuple[str, re.Pattern[str]]]]:
    """Compiled once: Stoke's places (to mask) and other areas (to find), longest first."""
    data = packaged_yaml("areas.yaml")
    stoke = [_place_pattern(p) for p in sorted(data["stoke_places"], key=len, reverse=True)]
    others = [
        (p, _place_pattern(p, cued=True))
        for p in sorted(data["other_areas"], key=len, reverse=True)
    ]
    return stoke, others


def moves_to_stoke(text: str) -> bool:
    """Whether the family says it is moving to Stoke-on-Trent ("moving to Stoke from Bolton")."""
    stoke, _ = _place_patterns()
    return any(
        _DESTINATION.search(text[: m.start()]) for pattern in stoke for m in pattern.finditer(text)
    )


def other_area(text: str) -> str | None:
    """Another council's area the question is about, if it names one (case as written). A
    place the family is moving to wins over the place they live now."""
    if moves_to_stoke(text):
        return None  # Stoke-on-Trent's services are theirs
    stoke, others = _place_patterns()
    masked = text
    for pattern in stoke:
        masked = pattern.sub(" ", masked)
    found: list[str] = []
    for place, pattern in others:
        for match in pattern.finditer(masked):
            if _DESTINATION.search(masked[: _place_start(match)]):
                return place
            found.append(place)
    return found[0] if found else None


def council_for(place: str) -> str | None:
    """The council that runs the Local Offer for a neighbouring place, if areas.yaml names it."""
    for council, places in packaged_yaml("areas.yaml").get("councils", {}).items():
        if place.lower() in (p.lower() for p in places):
            return str(council)
    return None


def content_words(text: str) -> list[str]:
    """Unstemmed content words, for topic phrases."""
    return [w for w in words(text) if w not in STOPWORDS and w not in _QUESTION_WORDS]


def needs_context(question: str, glossary: Glossary) -> bool:
    """Whether a question leans on earlier turns to make sense."""
    if _CONNECTIVE.search(question) or _ADDS_TO_EARLIER.search(question):
        return True
    content = content_words(question)
    if _POINTS_BACK.search(question) and len(content) <= POINTS_BACK_MAX_WORDS:
        return True
    if _CONTINUES.search(question) and len(content) <= CONTINUES_MAX_WORDS:
        return True
    has_term = bool(glossary.find(question))
    if _ANAPHOR.search(question) and len(content) < STANDALONE_CONTENT_WORDS + 2 and not has_term:
        return True
    return len(content) <= 2 and not has_term


def topic_of(question: str, glossary: Glossary) -> str:
    """The subject of a question: its glossary terms, else its longest run of content words."""
    terms = glossary.find(question)
    if terms:
        return " and ".join(term.term for term in terms[:2])
    runs: list[list[str]] = [[]]
    for token in re.findall(r"[\w'-]+", question):
        lowered = token.lower()
        if lowered in STOPWORDS or lowered in _TOPIC_SKIP:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(token)
    longest: list[str] = max(runs, key=len)
    return " ".join(longest)


def rewrite_follow_up(question: str, topic: str) -> str:
    """Put the topic into a follow-up: replace a pronoun, else add it."""
    if not topic:
        return question
    if _REPLACEABLE.search(question) and not _CONNECTIVE.search(question):
        return _REPLACEABLE.sub(f"the {topic}", question, count=1)
    stripped = question.rstrip(" ?.!")
    return f"{stripped} (about the {topic})?"


def _resolved(part: str, message: str, glossary: Glossary) -> str:
    """A part that leans on what comes before it, with that topic put in: in "First annual
    review coming up. Who organises it?" the part asks who organises the annual review."""
    # Only a pronoun is replaced: "(about the EHC plan)" added to "and will the council still
    # pay for the SALT?" would pull the search towards the plan rather than the therapy.
    # "this" and "that" usually point at the whole story ("this has to be discrimination?").
    if not needs_context(part, glossary) or _CONNECTIVE.search(part) or not _IT.search(part):
        return part
    before = message[: max(message.find(part), 0)]
    topic = topic_of(before, glossary) if before.strip() else ""
    return _IT.sub(f"the {topic}", part, count=1) if topic else part


def understand(
    question: str, history: Sequence[dict[str, str]], glossary: Glossary, max_turns: int
) -> Query:
    """Resolve the question against earlier user turns, spell out shorthand, find its parts."""
    message = read_message(question)
    plain = message.plain
    topic = ""
    earlier_area = None  # the latest other council's area an earlier user turn names
    for turn in list(history)[-max_turns:]:
        if turn.get("role") != "user" or not str(turn.get("content", "")).strip():
            continue
        earlier = spell_out(str(turn["content"]))
        earlier_area = other_area(earlier) or earlier_area
        if needs_context(earlier, glossary) and topic:
            earlier = rewrite_follow_up(earlier, topic)
        topic = topic_of(earlier, glossary) or topic
    # "we're moving to Stoke from Bolton" earlier: "the school is in Bolton" is not their area.
    to_stoke = any(
        moves_to_stoke(str(t.get("content", "")))
        for t in list(history)[-max_turns:]
        if t.get("role") == "user"
    )
    follow_up = bool(topic) and needs_context(plain, glossary)
    standalone = rewrite_follow_up(plain, topic) if follow_up else plain
    area_text = standalone if follow_up else plain
    focus = ""
    if not follow_up and message.questions and " ".join(message.questions) != plain:
        focus = glossary.expand(" ".join(message.questions))
    parts: tuple[str, ...] = ()
    if not follow_up and len(message.parts) > 1:
        parts = tuple(glossary.expand(_resolved(part, plain, glossary)) for part in message.parts)
    turns = list(history)[-max_turns:]
    previous = next(
        (str(t.get("content", "")) for t in reversed(turns) if t.get("role") == "assistant"), ""
    )
    # A follow-up's context: every earlier question in the window, latest first ("do I need a
    # solicitor?" ... "can they sort out the health bits too?" is still about the appeal asked
    # first; "and if they fob me off after that?" leans on "can I complain?" two turns back).
    # Each is embedded alone and averaged (see `search_vector`) so no single turn dominates
    # (dev2 follow-ups, last and first turn only -> every turn: 60.7 -> 64.3 % of facts).
    user_turns = [str(t.get("content", "")) for t in turns if t.get("role") == "user"]
    # Each earlier turn is taken whole, not only its question sentences: "got a letter saying
    # they intend to cease his plan ... he's only coping because of the support!!" has its topic
    # in the story, and its last sentence alone lost it (dev5 follow-ups 56.5 -> 71.7 % of facts,
    # two of them "not found" before; dev, dev2, dev4 and send_eval's follow-ups unchanged).
    asked = [spell_out(t) for t in dict.fromkeys(reversed(user_turns)) if t]
    # "who are they?" after "SENDIASS can help" asks about what the answer named, so the
    # answer's first sentence joins the context.
    if follow_up and previous and _ASKS_WHO_THEY_ARE.search(plain):
        asked.insert(0, split_sentences(previous)[0])
    context = " ".join(asked) if follow_up else ""
    challenge = (
        f" {challenge_words(' '.join([plain, context]))}"
        if asks_to_challenge(" ".join(message.questions), plain)
        else ""
    )
    return Query(
        original=question,
        standalone=standalone,
        search_text=(
            glossary.expand(f"{standalone} {context}")
            if context
            else glossary.expand(standalone) + challenge
        ),
        is_follow_up=follow_up,
        topic=topic if follow_up else "",
        # "we live in Newcastle-under-Lyme" earlier still holds for "do they have 20 weeks too?"
        other_area=None
        if to_stoke
        else other_area(area_text) or (earlier_area if follow_up else None),
        asks_definition=bool(_DEFINITION.search(standalone)),
        focus=focus,
        parts=parts,
        part_labels=message.parts if parts else (),
        own_text=glossary.expand(plain) + challenge if follow_up else "",
        context_text=glossary.expand(context) if context else "",
        context_parts=tuple(glossary.expand(a) for a in asked if a) if follow_up else (),
        own_words=len(content_words(plain)) if follow_up else 0,
        previous_answer=previous if follow_up else "",
        language=message.language,
    )
