"""Feedback under each answer: helpful / not helpful (the chat's thumbs), then a short optional
form: reasons to tick after "not helpful", and a comment.

The thumb is saved at once, so nothing is lost if the parent goes no further; the form then
adds to that same record. Which record a session may change is held on the server (gr.State),
so a browser can only add to feedback it gave itself. The form is ordinary labelled controls
(a fieldset of checkboxes, a text box, two buttons): usable by keyboard and screen reader, and
focus moves into it when it opens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr

from assistant.config import Settings
from assistant.feedback.store import REASONS, FeedbackRefused
from assistant.interfaces.limits import AnswerLedger, RateLimiter
from assistant.records import ConversationRecords

SAVED = "Thank you: your feedback has been saved."
SAVED_DETAIL = "Thank you: your reasons and comment have been saved."
ASK_MORE_NOT_HELPFUL = "**Sorry this answer did not help.** Tell us why, if you like (optional)."
ASK_MORE_HELPFUL = "**Glad it helped.** Anything to add? (optional)"
# Focus the form's first control once it is shown (keyboard and screen-reader users land in it).
FOCUS_FORM = """() => { setTimeout(() => {
  const first = Array.from(document.querySelectorAll(
    "#feedback-reasons input[type=checkbox], #feedback-comment textarea"))
    .find((el) => el.offsetParent !== null);
  if (first) first.focus();
}, 100); }"""


def add_feedback_form(
    chatbot: gr.Chatbot,
    records: ConversationRecords,
    answers_sent: AnswerLedger,
    settings: Settings,
    session_of: Callable[[gr.Request], str],
    text_of: Callable[[Any], str],
) -> None:
    """Wire the chat's like/dislike to the record store and add the follow-up form below it.

    Call inside the app's `gr.Blocks` context. `session_of(request)` gives the key feedback is
    rate-limited under; `text_of(value)` a chat message's text as the chat sent it.
    """
    feedbacks = RateLimiter(settings.feedback_per_minute, 60.0)
    limit = settings.feedback_comment_max_chars
    # Per session: the feedback record the form adds to ({"id", "helpful"}), and the record
    # each answer's thumb went to (a second click changes that record, it does not add one).
    given = gr.State(dict)
    # Confirmation in the page (a live region, see page.py) rather than a toast: Gradio's toast
    # nests its close button in a focusable header, which axe-core reports as serious.
    status = gr.Markdown("", elem_id="feedback-status")
    # A class, not an id: Gradio 6 repeats a Group's elem_id on an inner element.
    with gr.Group(visible=False, elem_classes=["feedback-form"]) as form:
        heading = gr.Markdown(ASK_MORE_NOT_HELPFUL, elem_id="feedback-heading")
        reasons = gr.CheckboxGroup(
            choices=[(label, key) for key, label in REASONS.items()],
            label="What was wrong with the answer?",
            elem_id="feedback-reasons",
        )
        comment = gr.Textbox(
            label=f"Comment (optional, up to {limit} characters; please leave out names and "
            "contact details)",
            max_length=limit,
            lines=2,
            elem_id="feedback-comment",
        )
        with gr.Row():
            send = gr.Button("Send feedback", variant="primary", elem_id="feedback-send")
            close = gr.Button("No thanks", elem_id="feedback-close")

    def on_thumb(data: gr.LikeData, state: dict[str, Any], request: gr.Request) -> tuple[Any, ...]:
        value = text_of(data.value)
        if value not in answers_sent:
            raise gr.Error("Feedback can only be given on an answer from this page.")
        if not feedbacks.allow(session_of(request)):
            raise gr.Error("Thank you: that is a lot of feedback in a short time, please wait.")
        answer_id = answers_sent.record_id(value)
        if answer_id is None:
            raise gr.Error("Sorry, this answer could not be saved, so feedback on it cannot be.")
        if not isinstance(data.liked, bool):  # the thumb was clicked off: keep what was given
            return state, "", gr.update(visible=False), gr.update(), gr.update(), gr.update()
        helpful = data.liked
        by_answer: dict[int, int] = dict(state.get("by_answer", {}))
        try:
            if answer_id in by_answer:
                records.revise_feedback(by_answer[answer_id], helpful)
            else:
                by_answer[answer_id] = records.record_feedback(answer_id, helpful)
        except FeedbackRefused as exc:
            raise gr.Error(str(exc)) from exc
        except OSError as exc:
            raise gr.Error(f"Sorry, your feedback could not be saved ({exc}).") from exc
        state = {"by_answer": by_answer, "open": {"id": by_answer[answer_id], "helpful": helpful}}
        return (
            state,
            SAVED,
            gr.update(visible=True),
            gr.update(value=ASK_MORE_HELPFUL if helpful else ASK_MORE_NOT_HELPFUL),
            gr.update(value=[], visible=not helpful),
            gr.update(value=""),
        )

    def on_send(
        chosen: list[str], text: str, state: dict[str, Any], request: gr.Request
    ) -> tuple[Any, ...]:
        opened = state.get("open")
        if not opened:
            raise gr.Error("Please choose helpful or not helpful under an answer first.")
        if not feedbacks.allow(session_of(request)):
            raise gr.Error("Thank you: that is a lot of feedback in a short time, please wait.")
        try:
            records.revise_feedback(
                int(opened["id"]), bool(opened["helpful"]), chosen or [], text or ""
            )
        except FeedbackRefused as exc:  # the form stays open with what was typed
            raise gr.Error(str(exc)) from exc
        except OSError as exc:
            raise gr.Error(f"Sorry, your feedback could not be saved ({exc}).") from exc
        return {**state, "open": None}, SAVED_DETAIL, gr.update(visible=False), [], ""

    def on_close(state: dict[str, Any]) -> tuple[Any, ...]:
        return {**state, "open": None}, gr.update(), gr.update(visible=False), [], ""

    chatbot.like(
        on_thumb,
        [given],
        [given, status, form, heading, reasons, comment],
        api_visibility="private",
    ).success(None, js=FOCUS_FORM)
    after = [given, status, form, reasons, comment]
    send.click(on_send, [reasons, comment, given], after, api_visibility="private")
    close.click(on_close, [given], after, api_visibility="private")
