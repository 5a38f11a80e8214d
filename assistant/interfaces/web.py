"""The web chat: Gradio's chat components around the answer pipeline."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.answering.answer import Answer, Citation, Kind, Statement
from assistant.answering.guard import clean_turn
from assistant.config import Settings
from assistant.interfaces import page
from assistant.interfaces.feedback_form import add_feedback_form
from assistant.interfaces.limits import AnswerLedger, RateLimiter
from assistant.records import ConversationRecords

if TYPE_CHECKING:  # the pipeline's libraries load in the background (see app.py)
    from assistant.pipeline import AnswerPipeline

TITLE = "Stoke-on-Trent SEND help"
NOTICE = (
    "Ask about special educational needs and disabilities (SEND) support, EHC needs assessments "
    "and plans, SENDIASS, short breaks, school transport, family hubs and more. Answers come "
    "only from Stoke-on-Trent's SEND Local Offer, the SEND Code of Practice and family hubs "
    "guidance, and every statement links to its source. **This is information, not legal "
    "advice.** If a child or adult is in danger, call 999.\n\n"
    "*What we keep:* your question with names, email addresses, phone numbers, dates and NHS "
    "numbers removed, the answer given and the sources it used, and any feedback you choose "
    "to give (with the same details removed from comments). We delete these records after "
    "{retention_days} days. Nothing else is stored, and nothing is kept in your browser: once "
    "you close or reload this page, the conversation is gone."
)
STILL_LOADING = "The assistant is still starting up: your answer will appear in a few seconds."
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
    sentences, words used and linked sources (one line per document)."""
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
        parts.append("**Sources**\n\n" + "  \n".join(_source_lines(answer.citations)))
    return "\n\n".join(part for part in parts if part)


def _source_lines(citations: list[Citation]) -> list[str]:
    """One line per document: passages of one page share its line ("1, 3: Title")."""
    by_url: dict[str, list[Citation]] = {}
    for citation in citations:
        by_url.setdefault(citation.url, []).append(citation)
    lines = []
    for url, group in by_url.items():
        numbers = ", ".join(str(c.n) for c in group)
        sections = list(dict.fromkeys(c.section for c in group if c.section))
        suffix = f" — {safe_text('; '.join(sections))}" if sections else ""
        if group[0].updated_note:
            suffix += f" ({group[0].updated_note})"
        lines.append(f"{numbers}: [{safe_text(group[0].title)}]({url}){suffix}")
    return lines


def sources_html(answer: Answer) -> str:
    """One native <details> panel per cited passage (Space and Enter open it), all text escaped.

    Kept on one line each: Markdown leaves an HTML block alone only up to a blank line.
    """
    panels = []
    for c in answer.citations:
        passage = html.escape(" ".join(c.passage.split()))
        updated = f" · {html.escape(c.updated_note)}" if c.updated_note else ""
        panels.append(
            f'<details class="source"><summary>Source [{c.n}]: {html.escape(c.title)}</summary>'
            f'<p class="passage">{passage}</p><p><a href="{html.escape(c.url, quote=True)}">'
            f"Read the full source</a>{updated} · facts checked {html.escape(c.last_checked)}"
            "</p></details>"
        )
    return "\n".join(panels)


def unescape(text: str) -> str:
    """Undo safe_text, to give the pipeline back the words a parent typed."""
    return html.unescape(re.sub(r"\\([\\`*_{}\[\]()#+!|~>])", r"\1", text))


def _text_of(content: Any) -> str:
    """A message's text, whether Gradio sends a string, a typed part ({"type": "text", "text":
    ...}), a message ({"content": ...}) or a list of those."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(_text_of(part) for part in content)
    if isinstance(content, dict):
        return _text_of(content.get("text", content.get("content", content.get("value"))))
    return ""


def history_turns(history: list[Any], max_chars: int = 20_000) -> list[dict[str, str]]:
    """The pipeline's view of the chat: user and answer turns, without the source panels.

    The history comes from the browser: each message is cut to `max_chars` before anything
    else reads it.
    """
    turns = []
    for message in history:
        item = message if isinstance(message, dict) else getattr(message, "__dict__", {})
        if not isinstance(item, dict) or (item.get("metadata") or {}).get("title"):
            continue
        content = _text_of(item.get("content"))[:max_chars]
        content = content.split(SOURCES_START, 1)[0]
        if item.get("role") in ("user", "assistant"):
            turns.append({"role": str(item["role"]), "content": unescape(content)})
    return turns


SOURCES_START = '<details class="source">'


def upload_limit(settings: Settings) -> int | str:
    """Largest upload the server accepts: none to speak of for the chat (it takes no files);
    the largest corpus file when the staff area is on (its own checks then apply per kind)."""
    from assistant.interfaces.staff.auth import disabled_reason

    if disabled_reason(settings) is not None:
        return "1kb"
    return int(max(settings.max_pdf_file_mb, settings.max_text_file_mb) * 1_048_576)


def serve(app: gr.Blocks, settings: Settings, **launch: Any) -> None:
    """Start the app: queued (requests wait rather than fail), nothing kept in the browser.

    Gradio otherwise stores every question and answer in the browser's localStorage ("Runs",
    with "Load run") and shows API, settings and run-history links that are not for parents.
    """
    app.queue(
        max_size=settings.web_queue_size, default_concurrency_limit=settings.web_concurrency
    ).launch(
        share=False,
        footer_links=[],
        run_history=False,
        max_file_size=upload_limit(settings),
        css=page.CSS,
        head=page.HEAD,
        **launch,
    )


def build_app(
    pipeline: AnswerPipeline | Future[AnswerPipeline],
    records: ConversationRecords,
    settings: Settings | None = None,
) -> gr.Blocks:
    """The Gradio Blocks app: notice, question box, chat with cited sources, feedback.

    `pipeline` may still be loading (a Future): the page is served at once, and a question
    asked meanwhile waits for it.

    Built from Gradio's Chatbot rather than ChatInterface so the parent's own message is echoed
    as inert text: ChatInterface shows it as HTML, so a typed <b> tag would render.
    """
    if settings is None:
        settings = pipeline.result().settings if isinstance(pipeline, Future) else pipeline.settings
    asks = RateLimiter(settings.questions_per_minute, 60.0)
    asks_per_address = RateLimiter(settings.questions_per_minute_per_address, 60.0)
    answers_sent = AnswerLedger()
    max_chars = settings.max_message_chars

    def respond(
        message: str, history: list[Any], request: gr.Request
    ) -> Iterator[tuple[list[Any], str]]:
        """Echo the question as inert text, clear the box, then stream the cited answer."""
        started = time.perf_counter()
        # Cut and cleaned before anything reads it (the echo included).
        message = clean_turn(message, settings.max_question_chars)
        history = history[-settings.max_history_messages :] if isinstance(history, list) else []
        shown = [*history, gr.ChatMessage(role="user", content=safe_text(message))]
        yield shown, ""
        if not (asks.allow(_session(request)) and asks_per_address.allow(_address(request))):
            raise gr.Error(
                "You have asked a lot of questions in a short time: please wait a minute."
            )
        if isinstance(pipeline, Future) and not pipeline.done():
            yield [*shown, gr.ChatMessage(role="assistant", content=STILL_LOADING)], ""
        ready = pipeline.result() if isinstance(pipeline, Future) else pipeline
        answer = ready.answer(message, history_turns(history, max_chars))
        record_id = None
        try:
            record_id = records.record_answer(answer, time.perf_counter() - started)
        except OSError as exc:  # a full disk must not stop a parent getting an answer
            print(f"warning: could not record the answer ({exc})")
        full = render_answer(answer)
        # Stream sentence by sentence, so the first words appear at once.
        partial = ""
        for piece in re.split(r"(?<=[.?!\]\)])\s+", full):
            partial = f"{partial} {piece}".strip()
            yield [*shown, gr.ChatMessage(role="assistant", content=partial)], ""
        final = f"{full}\n\n{sources_html(answer)}" if answer.citations else full
        answers_sent.add(final, record_id)
        yield [*shown, gr.ChatMessage(role="assistant", content=final)], ""

    with gr.Blocks(title=TITLE) as app:
        gr.Markdown(f"# {TITLE}")
        gr.Markdown(NOTICE.format(retention_days=settings.retention_days), elem_id="notice")
        question = gr.Textbox(
            placeholder="Type your question here and press Enter",
            elem_id="question",
            label="Your question",
            show_label=False,
            submit_btn="Ask",
            max_length=settings.max_question_chars,
        )
        chatbot = gr.Chatbot(
            height=None,
            min_height=120,
            autoscroll=False,
            buttons=[],
            placeholder="Answers appear here, with links to their sources.",
            feedback_options=("Like", "Dislike"),
            elem_id="chat",
            label="Conversation",
            show_label=False,
        )
        add_feedback_form(chatbot, records, answers_sent, settings, _session, _text_of)
        gr.Examples(EXAMPLES, inputs=[question], label="Example questions")
        question.submit(
            respond,
            [question, chatbot],
            [chatbot, question],
            api_name="respond",
            concurrency_limit=settings.web_concurrency,
        )
    from assistant.interfaces.staff.page import add_staff_area  # imports web's helpers

    add_staff_area(app, settings, pipeline)
    return app


def _session(request: gr.Request | None) -> str:
    """The key limits are counted under: the browser session (or API client)."""
    return str(getattr(request, "session_hash", None) or "anonymous")


def _address(request: gr.Request | None) -> str:
    """The client's network address (the proxy's, behind a reverse proxy)."""
    client = getattr(request, "client", None)
    return str(getattr(client, "host", None) or "unknown")
