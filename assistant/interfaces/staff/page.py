"""The staff area page (/staff on the chat's own server): login, documents, upload, ingest."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.config import Settings
from assistant.corpus.documents import COLLECTION_LABELS
from assistant.corpus.updates import IngestRunner
from assistant.feedback.panel import gaps_panel
from assistant.interfaces.staff import actions
from assistant.interfaces.staff.auth import StaffAuth, disabled_reason
from assistant.interfaces.staff.documents import COLUMNS, SORTS

if TYPE_CHECKING:
    from assistant.pipeline import AnswerPipeline

STAFF_PATH = "staff"


def add_staff_area(
    app: gr.Blocks,
    settings: Settings,
    pipeline: AnswerPipeline | Future[AnswerPipeline] | None,
    runner: IngestRunner | None = None,
) -> None:
    """Add the /staff page to `app` (not linked from the parents' page).

    With no staff credentials configured the page only says how to enable it. `runner` runs
    ingests after a change; by default one that refreshes `pipeline` when it finishes.
    """
    reason = disabled_reason(settings)
    with app.route("Staff area", f"/{STAFF_PATH}", show_in_navbar=False):
        gr.Markdown("# Staff area")
        if reason is not None:
            gr.Markdown(reason, elem_id="staff-disabled")
            return
        if runner is None:
            runner = IngestRunner(settings, on_done=lambda: _refresh(pipeline))
        area = actions.StaffArea(settings, StaffAuth(settings), runner, pipeline)
        _build(area)


def _refresh(pipeline: AnswerPipeline | Future[AnswerPipeline] | None) -> None:
    """Rebuild the chat's derived indexes after an ingest (waits for a loading pipeline)."""
    if pipeline is not None:
        (pipeline.result() if isinstance(pipeline, Future) else pipeline).refresh()


def _metadata_fields(prefix: str) -> list[Any]:
    """The metadata inputs shared by upload and edit, in UploadForm order (after the file)."""
    return [
        gr.Dropdown(
            [(label, key) for key, label in COLLECTION_LABELS.items()],
            value="local_offer",
            label="Collection",
            elem_id=f"{prefix}-collection",
        ),
        gr.Textbox(label="Title", elem_id=f"{prefix}-title"),
        gr.Textbox(label="Source URL (the page to cite)", elem_id=f"{prefix}-url"),
        gr.Textbox(label="Publisher", elem_id=f"{prefix}-publisher"),
        gr.Textbox(
            label="Date the facts were checked (YYYY-MM-DD)",
            value=dt.date.today().isoformat(),
            elem_id=f"{prefix}-checked",
        ),
        gr.Textbox(
            label="The source's own last-updated date (YYYY-MM-DD, optional)",
            elem_id=f"{prefix}-updated",
        ),
        gr.Textbox(label="One-line summary (optional)", elem_id=f"{prefix}-summary"),
    ]


def _build(area: actions.StaffArea) -> None:
    token = gr.State("")
    with gr.Column(visible=True) as login_box:
        name = gr.Textbox(label="User name", elem_id="staff-name")
        password = gr.Textbox(label="Password", type="password", elem_id="staff-password")
        login = gr.Button("Log in", elem_id="staff-login")
    message = gr.Markdown(elem_id="staff-message")
    with gr.Column(visible=False) as panel:
        who = gr.Markdown()
        logout = gr.Button("Log out", size="sm")
        status = gr.Markdown("No ingest has run yet.", elem_id="staff-ingest")
        run = gr.Button("Run ingest now", size="sm")
        with gr.Tab("Documents"):
            with gr.Row():
                search = gr.Textbox(label="Search", elem_id="staff-search")
                sort = gr.Dropdown(list(SORTS), value="title", label="Sort by")
            table = gr.Dataframe(headers=COLUMNS, interactive=False, max_height=600)
        with gr.Tab("Upload"):
            upload = gr.File(
                label="Markdown, HTML or PDF file",
                file_types=[".md", ".html", ".htm", ".pdf"],
                type="filepath",
                elem_id="staff-file",
            )
            doc_id = gr.Textbox(label="Document id (optional: from the file name)")
            fields = _metadata_fields("upload")
            replace = gr.Checkbox(label="If a document with this id exists, replace it")
            preview_button = gr.Button("Check and preview", elem_id="staff-preview")
            publish_button = gr.Button("Publish", interactive=False, elem_id="staff-publish")
            preview = gr.Markdown(elem_id="staff-preview-text")
        with gr.Tab("Gaps report"):
            gaps_panel(area.settings, token=token, check=area.require_login)
        with gr.Tab("Edit or remove"):
            chosen = gr.Dropdown([], label="Document", allow_custom_value=True)
            load = gr.Button("Load its details", size="sm")
            edit_fields = _metadata_fields("edit")
            save = gr.Button("Save details")
            confirm = gr.Checkbox(label="Yes, remove this document from the assistant")
            remove = gr.Button("Remove document")
    timer = gr.Timer(2.0, active=False)

    shown = [login_box, panel, who, message, timer, table, chosen]
    login.click(area.login, [name, password, token, search, sort], [token, password, *shown])
    logout.click(area.logout, [token], [token, *shown])
    for trigger in (search.change, sort.change):
        trigger(area.documents, [token, search, sort], [table, chosen])
    upload_inputs = [token, upload, doc_id, *fields]
    preview_button.click(area.preview, upload_inputs, [preview, publish_button, message])
    publish_button.click(
        area.publish, [*upload_inputs, replace], [preview, publish_button, message]
    )
    upload.change(lambda: gr.update(interactive=False), None, [publish_button])
    load.click(area.load_details, [token, chosen], [message, *edit_fields])
    save.click(area.save_details, [token, chosen, *edit_fields], [message])
    remove.click(area.remove, [token, chosen, confirm], [message, confirm])
    run.click(area.run_ingest, [token], [message])
    # The refresh every 2 s must not dim the page as an event in progress would: a staff member
    # reads the table through it, and axe-core caught the dimmed text's contrast mid-refresh.
    timer.tick(area.tick, [token, search, sort], [status, *shown], show_progress="hidden")
