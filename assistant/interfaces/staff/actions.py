"""What each staff button does: check the session, act, record it in the audit log."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.config import Settings
from assistant.corpus.documents import DocumentError
from assistant.corpus.ingest import file_limits
from assistant.corpus.loaders import load_document
from assistant.corpus.updates import IngestRunner
from assistant.interfaces.staff.audit import AuditLog
from assistant.interfaces.staff.auth import LoginRefused, StaffAuth
from assistant.interfaces.staff.documents import (
    document_path,
    filter_and_sort,
    list_documents,
)
from assistant.interfaces.staff.publish import edit_metadata, publish, remove_document
from assistant.interfaces.staff.upload import StagedUpload, UploadForm, UploadRefused, stage_upload
from assistant.interfaces.web import safe_text

if TYPE_CHECKING:
    from assistant.pipeline import AnswerPipeline

EXPIRED = "Your staff session has ended (or you are not logged in): log in again."


class StaffArea:
    """The staff area's state: logins, staged uploads, the audit log and the ingest runner."""

    def __init__(
        self,
        settings: Settings,
        auth: StaffAuth,
        runner: IngestRunner,
        pipeline: AnswerPipeline | Future[AnswerPipeline] | None,
    ) -> None:
        self.settings = settings
        self.auth = auth
        self.runner = runner
        self.pipeline = pipeline
        self.audit = AuditLog(settings.log_dir)
        self.previewed: dict[str, object] = {}  # session token -> what its preview showed
        self.pending = False  # a change waits for the running ingest to end
        self.last_finished: object = None

    # --- session -------------------------------------------------------------------------
    def _user(self, token: str) -> str:
        user = self.auth.user(token)
        if user is None:
            raise gr.Error(EXPIRED)
        return user

    def require_login(self, token: str) -> str:
        """The logged-in staff member's name; raises gr.Error if the session has ended."""
        return self._user(token)

    def _view(
        self, user: str | None, message: str, search: str = "", sort: str = "title"
    ) -> list[Any]:
        """Updates for [login_box, panel, who, message, timer, table, chosen]."""
        if user is None:
            return [gr.update(visible=True), gr.update(visible=False), "", message,
                    gr.Timer(active=False), gr.skip(), gr.skip()]  # fmt: skip
        table, chosen = self._table(search, sort)
        return [gr.update(visible=False), gr.update(visible=True), f"Logged in as **{user}**.",
                message, gr.Timer(active=True), table, chosen]  # fmt: skip

    def login(self, name: str, password: str, token: str, search: str, sort: str,
              request: gr.Request) -> list[Any]:  # fmt: skip
        """Check the name and password; on success show the staff panel."""
        address = _address(request)
        try:
            token = self.auth.login(name, password, address)
        except LoginRefused as refused:
            # An unknown name is not written down: it may be a password typed in the wrong box.
            known = name.strip() if name.strip() in self.auth.users else "(unknown name)"
            self.audit.record(known, "login refused", address=address)
            return ["", "", *self._view(None, str(refused))]
        self.audit.record(name.strip(), "logged in", address=address)
        return [token, "", *self._view(name.strip(), "", search, sort)]

    def logout(self, token: str) -> list[Any]:
        """End the session."""
        user = self.auth.user(token)
        self.auth.logout(token)
        if user:
            self.audit.record(user, "logged out")
        return ["", *self._view(None, "You have logged out.")]

    # --- documents -----------------------------------------------------------------------
    def _table(self, search: str, sort: str) -> tuple[Any, Any]:
        rows = list_documents(self.settings, self._counts())
        ids = sorted(row.doc_id for row in rows)
        return filter_and_sort(rows, search, sort), gr.update(choices=ids)

    def _counts(self) -> dict[str, set[str]]:
        pipeline = self.pipeline
        if isinstance(pipeline, Future):
            pipeline = pipeline.result() if pipeline.done() else None
        return pipeline.store.ids_by_doc() if pipeline is not None else {}

    def documents(self, token: str, search: str, sort: str) -> tuple[Any, Any]:
        """The documents table, filtered and sorted."""
        self._user(token)
        return self._table(search, sort)

    # --- upload --------------------------------------------------------------------------
    def _stage(self, upload: str | None, doc_id: str, fields: tuple[str, ...]) -> StagedUpload:
        if not upload:
            raise UploadRefused("File: choose a Markdown, HTML or PDF file first.")
        path = Path(upload)
        # Gradio keeps the uploaded file's own name as the temporary file's name.
        form = _form(fields, doc_id)
        return stage_upload(path, path.name, form, self.settings)

    def preview(self, token: str, upload: str | None, doc_id: str, *fields: str) -> list[Any]:
        """Check the file and its details, and show the passages it would become."""
        user = self._user(token)
        try:
            staged = self._stage(upload, doc_id, fields)
        except UploadRefused as refused:
            self.audit.record(user, "upload refused", file=Path(upload or "").name, reason=refused)
            return ["", gr.update(interactive=False), f"**Refused.** {_escape(str(refused))}"]
        try:
            self.previewed[token] = _shown(staged)
            return [_preview_markdown(staged), gr.update(interactive=True),
                    "Checked: read the passages below, then publish."]  # fmt: skip
        finally:
            staged.discard()

    def publish(self, token: str, upload: str | None, doc_id: str, *rest: Any) -> list[Any]:
        """Publish the previewed file into corpus/ and start an ingest."""
        user = self._user(token)
        *fields, replace = rest
        try:
            staged = self._stage(upload, doc_id, tuple(fields))
        except UploadRefused as refused:
            return ["", gr.update(interactive=False), f"**Refused.** {_escape(str(refused))}"]
        try:
            if _shown(staged) != self.previewed.get(token):
                raise UploadRefused(
                    "The file or its details changed since the preview: preview it again."
                )
            target = publish(staged, self.settings, replace=bool(replace))
        except UploadRefused as refused:
            return [
                gr.skip(),
                gr.update(interactive=False),
                f"**Refused.** {_escape(str(refused))}",
            ]
        finally:
            staged.discard()
        self.previewed.pop(token, None)
        self.audit.record(user, "published", document=staged.doc_id, file=target.name)
        return ["", gr.update(interactive=False), f"Published {target.name}. {self._ingest(user)}"]

    # --- edit and remove -----------------------------------------------------------------
    def load_details(self, token: str, doc_id: str) -> list[Any]:
        """Fill the edit fields from a document's current metadata."""
        self._user(token)
        path = document_path(self.settings, doc_id or "")
        if path is None:
            return ["Choose a document first.", *[gr.skip()] * 7]
        try:
            meta = load_document(path, file_limits(self.settings)).meta
        except DocumentError as exc:
            return [
                f"**{_escape(path.name)} cannot be used:** {_escape(str(exc))}",
                *[gr.skip()] * 7,
            ]
        updated = meta.source_updated.isoformat() if meta.source_updated else ""
        return ["", meta.collection, meta.title, meta.source_url, meta.publisher,
                meta.last_checked.isoformat(), updated, meta.summary]  # fmt: skip

    def save_details(self, token: str, doc_id: str, *fields: str) -> str:
        """Rewrite a document's metadata and start an ingest."""
        user = self._user(token)
        try:
            path = edit_metadata(self.settings, doc_id or "", _form(fields))
        except UploadRefused as refused:
            return f"**Refused.** {_escape(str(refused))}"
        self.audit.record(user, "edited details", document=doc_id, file=path.name)
        return f"Saved the details of {path.name}. {self._ingest(user)}"

    def remove(self, token: str, doc_id: str, confirmed: bool) -> tuple[str, bool]:
        """Delete a document from corpus/ (after the confirmation tick) and start an ingest."""
        user = self._user(token)
        if not confirmed:
            return "Tick 'Yes, remove this document' first.", False
        try:
            path = remove_document(self.settings, doc_id or "")
        except UploadRefused as refused:
            return f"**Refused.** {_escape(str(refused))}", False
        self.audit.record(user, "removed", document=doc_id, file=path.name)
        return f"Removed {path.name}. {self._ingest(user)}", False

    # --- ingest --------------------------------------------------------------------------
    def _ingest(self, user: str) -> str:
        if self.runner.start():
            self.audit.record(user, "started ingest")
            return "The index is being updated in the background (progress above)."
        self.pending = True
        return "An ingest is already running: another starts as soon as it ends."

    def run_ingest(self, token: str) -> str:
        """Start an ingest by hand."""
        return self._ingest(self._user(token))

    def tick(self, token: str, search: str, sort: str) -> list[Any]:
        """Every few seconds: ingest progress; the table after an ingest; the login if expired."""
        user = self.auth.user(token, renew=False)
        if user is None:
            return [gr.skip(), *self._view(None, EXPIRED)]
        if self.pending and self.runner.start():
            self.pending = False
            self.audit.record(user, "started ingest")
        status = self.runner.status()
        keep = [gr.skip()] * 7
        if status.finished != self.last_finished and status.state in ("done", "failed"):
            self.last_finished = status.finished
            keep[5:7] = self._table(search, sort)
        return [_status_markdown(status), *keep]


def _form(fields: tuple[str, ...], doc_id: str = "") -> UploadForm:
    """The form from the metadata inputs, in their on-page order (see page._metadata_fields)."""
    collection, title, url, publisher, checked, updated, summary = (f or "" for f in fields)
    return UploadForm(collection, title, url, publisher, checked, updated, summary, doc_id or "")


def _shown(staged: StagedUpload) -> object:
    """What a preview showed: the passages and the metadata (publish must match it)."""
    return (staged.document.meta, tuple(chunk.body for chunk in staged.chunks))


def _escape(text: str) -> str:
    return safe_text(text)


def _preview_markdown(staged: StagedUpload) -> str:
    meta = staged.document.meta
    lines = [f"### {_escape(meta.title)}: {len(staged.chunks)} passage(s)"]
    for number, chunk in enumerate(staged.chunks, start=1):
        body = _escape(" ".join(chunk.body.split()))
        lines.append(f"**Passage {number}** ({_escape(chunk.section or 'no heading')})\n\n> {body}")
    if staged.document.dropped:
        hidden = "; ".join(_escape(item.text[:80]) for item in staged.document.dropped)
        lines.append(f"*Left out (hidden from readers):* {hidden}")
    return "\n\n".join(lines)


def _status_markdown(status: Any) -> str:
    if status.state == "idle":
        return "No ingest has run yet."
    started = status.started.strftime("%H:%M:%S") if status.started else ""
    last = "  \n".join(_escape(line) for line in status.lines[-4:])
    text = f"**Ingest {status.state}** (started {started} UTC)  \n{last}"
    if status.summary:
        text += "  \n" + _escape(status.summary.splitlines()[0])
    return text


def _address(request: gr.Request | None) -> str:
    client = getattr(request, "client", None)
    return str(getattr(client, "host", None) or "unknown")
