"""Per-visitor limits for the web chat: how often each session may ask or give feedback, and
which answers feedback may be given on (only ones this server sent)."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict, deque


class RateLimiter:
    """At most `limit` events per `window_s` seconds for each key (a browser session).

    A sliding window kept per key; the oldest keys are forgotten beyond `max_keys`, so memory
    stays bounded however many sessions arrive.
    """

    def __init__(self, limit: int, window_s: float, max_keys: int = 10_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_keys = max_keys
        self._events: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Record one event for `key`; False (and nothing recorded) if it is over the limit."""
        now = time.monotonic()
        with self._lock:
            events = self._events.pop(key, None) or deque()
            while events and now - events[0] > self.window_s:
                events.popleft()
            allowed = len(events) < self.limit
            if allowed:
                events.append(now)
            self._events[key] = events
            while len(self._events) > self.max_keys:
                self._events.popitem(last=False)
            return allowed


def digest(text: str) -> str:
    """A short fingerprint of an answer's text (hex SHA-256), so the text itself is not kept."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class AnswerLedger:
    """Fingerprints of the last `capacity` answers sent, so feedback names a real answer, each
    with the id its record was stored under (None if it could not be stored)."""

    def __init__(self, capacity: int = 20_000) -> None:
        self.capacity = capacity
        self._seen: OrderedDict[str, int | None] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, text: str, record_id: int | None = None) -> None:
        """Remember that this answer text was sent (and where its record is)."""
        with self._lock:
            self._seen[digest(text)] = record_id
            while len(self._seen) > self.capacity:
                self._seen.popitem(last=False)

    def record_id(self, text: str) -> int | None:
        """The stored record's id for an answer sent, or None (unknown, or not stored)."""
        with self._lock:
            return self._seen.get(digest(text))

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and digest(text) in self._seen
