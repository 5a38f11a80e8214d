"""The query vector: one unit vector for scope and retrieval (steps 5-7 of the answer path), from
the texts a message asks.

A story weighs in its question sentences; a follow-up mixes its own words with the questions it
follows and the answer it follows. Every text it needs is embedded up front with the rest of
the message's texts (`search_texts`, see `AnswerPipeline.embed`).
"""

from __future__ import annotations

import numpy as np

from assistant.answering.understand import Query, content_words
from assistant.corpus.embeddings import QueryVectors
from assistant.text import split_sentences

# Weight of a follow-up's own words in its search vector, by how many content words it has
# (0, 1, 2, 3 or more): "and what about it?" leans on the earlier question; one word of its own
# ("and if they refuse?") already says what is new (0.45 measured worse on the development half).
FOLLOW_UP_OWN_WEIGHT = (0.3, 0.6, 0.55, 0.65)
# Share of a follow-up's context taken from the lead sentence of the answer it follows ("what if
# that gets nowhere?" after "you can use the council's complaints procedure" is about the
# complaint): 0.3 took the development half's follow-ups from 59.3 to 70.4 % of facts.
PREVIOUS_ANSWER_WEIGHT = 0.3
# A story's question sentences steer its search only if they say something: "is that true?"
# after a story adds noise, not a topic (dev2 facts 65.5 -> 66.7 %, dev and dev3 unchanged).
FOCUS_MIN_WORDS = 3


def unit(vector: np.ndarray) -> np.ndarray:
    """The vector scaled to length 1 (a zero vector unchanged)."""
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def search_vector(query: Query, vectors: QueryVectors) -> np.ndarray:
    """One unit vector for retrieval: the whole message, with the question sentences of a
    story weighed in (the story carries the topic, the question says what is asked); for a
    follow-up, its own words mixed with the question it follows (more of its own words, the
    more they weigh). Embeds `search_texts(query)` (less the parts)."""
    if query.is_follow_up and query.context_parts:
        # Each earlier turn embedded alone and averaged: one long turn cannot outweigh the
        # others, as it does when the turns are joined into one text (dev2 follow-ups:
        # 50.0 -> 57.1 % of facts).
        lead = split_sentences(query.previous_answer)[:1]
        own, *turns = vectors.queries([query.own_text, *query.context_parts, *lead])
        context = unit(np.mean(turns[: len(query.context_parts)], axis=0))
        if lead:
            context = unit(
                (1 - PREVIOUS_ANSWER_WEIGHT) * context + PREVIOUS_ANSWER_WEIGHT * turns[-1]
            )
        weight = FOLLOW_UP_OWN_WEIGHT[min(query.own_words, len(FOLLOW_UP_OWN_WEIGHT) - 1)]
        return unit(weight * own + (1 - weight) * context)
    if focus := steering_focus(query):
        whole, focus_vector = vectors.queries([query.search_text, focus])
        return unit(whole + focus_vector)
    return vectors.query(query.search_text)


def search_texts(query: Query) -> list[str]:
    """Every text `search_vector` and `compose_parts` embed for a query, in that order."""
    if query.is_follow_up and query.context_parts:
        lead = split_sentences(query.previous_answer)[:1]
        searched = [query.own_text, *query.context_parts, *lead]
    elif focus := steering_focus(query):
        searched = [query.search_text, focus]
    else:
        searched = [query.search_text]
    return [*searched, *query.parts]


def steering_focus(query: Query) -> str:
    """The question sentences of a story, if they say enough to steer its search ("" if not)."""
    return query.focus if len(content_words(query.focus)) >= FOCUS_MIN_WORDS else ""


def previous_sentences(query: Query) -> list[str]:
    """The sentences of the answer a follow-up follows (none for a new question)."""
    return split_sentences(query.previous_answer) if query.previous_answer else []
