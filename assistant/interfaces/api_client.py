"""A minimal client for the web chat's HTTP API (Gradio's /gradio_api/call/respond), for the
load script and tests.

httpx directly rather than gradio_client: gradio_client cannot send a lone surrogate (its JSON
is encoded as UTF-8 text), and the fuzz test must; and the load script needs one light client
per simulated parent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class ApiReply:
    """The last update the server streamed: the chat messages and the cleared question box,
    or the error it reported."""

    messages: list[dict[str, Any]]
    box: str
    error: str | None = None

    def last_text(self) -> str:
        """The text of the last message (the answer, sources included)."""
        if not self.messages:
            return ""
        content = self.messages[-1].get("content")
        if isinstance(content, list):
            return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        return str(content or "")


def ask(
    client: httpx.Client,
    base_url: str,
    question: str,
    history: list[dict[str, Any]] | None = None,
    timeout_s: float = 120.0,
) -> ApiReply:
    """Ask one question through the API and wait for the finished answer.

    Raises httpx.HTTPError if the server cannot be reached or refuses the request.
    """
    url = base_url.rstrip("/") + "/gradio_api/call/respond"
    # Gradio 6 takes each message's content as a list of typed parts.
    turns = [
        {**turn, "content": [{"type": "text", "text": turn["content"]}]}
        if isinstance(turn.get("content"), str)
        else turn
        for turn in history or []
    ]
    body = json.dumps({"data": [question, turns]})  # ASCII: surrogates as \\u escapes
    started = client.post(
        url, content=body, headers={"content-type": "application/json"}, timeout=timeout_s
    )
    started.raise_for_status()
    event_id = started.json()["event_id"]
    last: Any = None
    event = ""
    error: str | None = None
    with client.stream("GET", f"{url}/{event_id}", timeout=timeout_s) as stream:
        stream.raise_for_status()
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                data = json.loads(line.split(":", 1)[1])
                if event == "error":
                    error = str(data)
                elif data is not None:
                    last = data
    if isinstance(last, list) and len(last) == 2:
        return ApiReply(list(last[0] or []), str(last[1]), error)
    return ApiReply([], "", error or "no answer streamed")
