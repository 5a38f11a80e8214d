"""The web chat: Gradio's chat components around the answer pipeline."""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import gradio as gr

from assistant.answering.answer import Answer, Citation, Kind, Statement
from assistant.pipeline import AnswerPipeline
from assistant.records import ConversationRecords

TITLE = "Stoke-on-Trent SEND help"
NOTICE = (
    "Ask about special educational needs and disabilities (SEND) support, EHC needs assessments "
    "and plans, SENDIASS, short breaks, school transport, family hubs and more. Answers come "
    "only from Stoke-on-Trent's SEND Local Offer, the SEND Code of Practice and family hubs "
    "guidance, and every statement links to its source. **This is information, not legal "
    "advice.** If a child or adult is in danger, call 999.\n\n"
    "*What we keep:* your question with names, email addresses, phone numbers, dates and NHS "
    "numbers removed, the kind of answer given, which sources it used, and any feedback you "
    "choose to give. Nothing else is stored."
)
EXAMPLES = [
    "How do I ask for an EHC needs assessment in Stoke-on-Trent?",
    "How long does the council have to decide whether to assess?",
    "What does SENDIASS do?",
    "What can a family hub do for us?",
    "Can my child get help with transport to school?",
    "What are Aiming High short breaks?",
]
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>])")


def safe_text(text: str) -> str:
    """Corpus or user text made inert: HTML escaped and Markdown syntax neutralised."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _marker(statement: Statement, citations: dict[int, Citation]) -> str:
    citation = citations.get(statement.citation or 0)
    if citation is None:
        return ""
    return f" [[{citation.n}]]({citation.url})"


def render_answer(answer: Answer) -> str:
    """The answer as Markdown: the possible-risk box (a quoted block, first), notes, cited
    sentences, words used and linked sources."""
    citations = {c.n: c for c in answer.citations}
    parts = []
    if answer.box:
        lines = [safe_text(s.text) + _marker(s, citations) for s in answer.box]
        title = f"> **{safe_text(answer.box_title)}**\n>\n" if answer.box_title else ""
        parts.append(title + "\n>\n".join(f"> {line}" for line in lines))
    parts.extend(f"*{safe_text(note)}*" for note in answer.notes)
    if answer.extras:
        parts.append(
            "\n".join(f"- {safe_text(s.text)}{_marker(s, citations)}" for s in answer.extras)
        )
    if answer.kind == Kind.ANSWERED:
        for label, statements in answer.paragraphs():
            text = " ".join(safe_text(s.text) + _marker(s, citations) for s in statements)
            parts.append(f"**{safe_text(label)}**  \n{text}" if label else text)
    else:
        parts.append(
            "\n\n".join(safe_text(s.text) + _marker(s, citations) for s in answer.statements)
        )
    if answer.words_used:
        words = "; ".join(f"**{safe_text(t)}**: {safe_text(m)}" for t, m in answer.words_used)
        parts.append(f"*Words used:* {words}")
    if answer.citations:
        sources = [
            f"{c.n}. [{safe_text(c.title)}]({c.url})"
            + (f" — {safe_text(c.section)}" if c.section else "")
            for c in answer.citations
        ]
        parts.append("**Sources**\n\n" + "\n".join(sources))
    return "\n\n".join(part for part in parts if part)


def passage_messages(answer: Answer) -> list[gr.ChatMessage]:
    """One collapsed message per cited passage, so a parent can check the source text."""
    return [
        gr.ChatMessage(
            role="assistant",
            content=f"{safe_text(c.passage)}\n\n[Read the full source]({c.url}) · "
            f"facts checked {safe_text(c.last_checked)}",
            metadata={"title": f"Source [{c.n}]: {c.title}", "status": "done"},
        )
        for c in answer.citations
    ]


def unescape(text: str) -> str:
    """Undo safe_text, to give the pipeline back the words a parent typed."""
    return html.unescape(re.sub(r"\\([\\`*_{}\[\]()#+!|~>])", r"\1", text))


def history_turns(history: list[Any]) -> list[dict[str, str]]:
    """The pipeline's view of the chat: user and answer turns, without the source panels."""
    turns = []
    for message in history:
        item = message if isinstance(message, dict) else getattr(message, "__dict__", {})
        metadata = item.get("metadata") or {}
        if metadata.get("title"):
            continue
        content = item.get("content")
        if isinstance(content, list):
            content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        if isinstance(content, str) and item.get("role") in ("user", "assistant"):
            turns.append({"role": str(item["role"]), "content": unescape(content)})
    return turns


def build_app(pipeline: AnswerPipeline, records: ConversationRecords) -> gr.Blocks:
    """The Gradio Blocks app: chat, examples, notice, cited passages and feedback.

    Built from Gradio's Chatbot rather than ChatInterface so the parent's own message is echoed
    as inert text: ChatInterface shows it as HTML, so a typed <b> tag would render.
    """

    def respond(message: str, history: list[Any]) -> Iterator[tuple[list[Any], str]]:
        """Echo the question as inert text, clear the box, then stream the cited answer."""
        started = time.perf_counter()
        shown = [*history, gr.ChatMessage(role="user", content=safe_text(message or ""))]
        yield shown, ""
        answer = pipeline.answer(message, history_turns(history))
        try:
            records.record_answer(answer, time.perf_counter() - started)
        except OSError as exc:  # a full disk must not stop a parent getting an answer
            print(f"warning: could not record the answer ({exc})")
        full = render_answer(answer)
        # Stream sentence by sentence, so the first words appear at once.
        partial = ""
        for piece in re.split(r"(?<=[.?!\]\)])\s+", full):
            partial = f"{partial} {piece}".strip()
            yield [*shown, gr.ChatMessage(role="assistant", content=partial)], ""
        final = gr.ChatMessage(role="assistant", content=full)
        yield [*shown, final, *passage_messages(answer)], ""

    def feedback(data: gr.LikeData, history: list[Any]) -> None:
        turns = history_turns(
            history[: data.index if isinstance(data.index, int) else data.index[0]]
        )
        question = next((t["content"] for t in reversed(turns) if t["role"] == "user"), "")
        value = data.value if isinstance(data.value, str) else json.dumps(data.value)
        try:
            records.record_feedback(question, unescape(value), helpful=bool(data.liked))
        except OSError as exc:
            raise gr.Error(f"Sorry, your feedback could not be saved ({exc}).") from exc
        gr.Info("Thank you: your feedback has been saved.")

    with gr.Blocks(title=TITLE) as app:
        gr.Markdown(f"# {TITLE}")
        gr.Markdown(NOTICE, elem_id="notice")
        chatbot = gr.Chatbot(
            height=560,
            placeholder="Ask a question about SEND support in Stoke-on-Trent.",
            feedback_options=("Like", "Dislike"),
            elem_id="chat",
            show_label=False,
        )
        question = gr.Textbox(
            placeholder="Type your question here and press Enter",
            elem_id="question",
            show_label=False,
            submit_btn="Ask",
        )
        gr.Examples(EXAMPLES, inputs=[question], label="Example questions")
        question.submit(respond, [question, chatbot], [chatbot, question], api_name="respond")
        chatbot.like(feedback, [chatbot], None, api_visibility="private")
    return app
