"""Recently deleted: deleted users and events with who and when; restore them, or purge."""

from typing import Any

import anyio.to_thread
from sqladmin import expose
from sqladmin.authorization import custom_action
from sqlalchemy import select
from starlette.datastructures import FormData, QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin_app.admin.actions import write_jobs
from admin_app.admin.actions.write_jobs import purgeable_rows, restorable_rows
from admin_app.admin.changelist.paging import AnySelect
from admin_app.admin.changelist.selection import count_rows, more_than
from admin_app.admin.core.errors import ActionRefused, refusing
from admin_app.admin.core.ids import is_id, parse_id
from admin_app.admin.core.text_search import contains
from admin_app.admin.forms.feedback import flash
from admin_app.admin.site.panel import PanelPage
from admin_app.admin.site.roles import acting
from admin_app.history.images import DELETE, unpack_for_reading
from admin_app.history.purge import purge_deleted
from admin_app.history.refusals import Acting
from admin_app.history.restore import (
    Which,
    by_change_set,
    by_ids,
    restore_deleted,
    restored_in_words,
)
from admin_app.models import ChangeSet, RowImage
from admin_app.web.form_bodies import text_form

TEMPLATE = "recently_deleted.html"
PAGE_SIZE = 50
# Rows ticked in one restore; a whole change set is restored by its id instead.
MAX_TICKED = 1_000
RESTORE = custom_action("restore")
PURGE = custom_action("purge")
TARGETS = {"user": "Users", "event": "Events"}


def _listed(params: QueryParams) -> AnySelect:
    statement: AnySelect = (
        select(RowImage, ChangeSet)
        .join(ChangeSet, ChangeSet.id == RowImage.change_set_id)
        .where(RowImage.action == DELETE, RowImage.restored_by.is_(None))
    )
    if (target := params.get("target")) in TARGETS:
        statement = statement.where(RowImage.target == target)
    if (change_set := parse_id(params.get("change_set", ""))) is not None:
        statement = statement.where(RowImage.change_set_id == change_set)
    if term := params.get("search", "").strip():
        statement = statement.where(contains(RowImage.label, term))
    if (before := parse_id(params.get("before", ""))) is not None:
        statement = statement.where(RowImage.id < before)
    return statement.order_by(RowImage.id.desc()).limit(PAGE_SIZE + 1)


def _chosen(form: FormData) -> Which:
    change_set = parse_id(str(form.get("change_set", "")))
    if change_set is not None:
        return by_change_set(change_set)
    ticked = [str(value) for value in form.getlist("image")]
    if not ticked or len(ticked) > MAX_TICKED or not all(is_id(value) for value in ticked):
        raise HTTPException(
            status_code=400, detail=f"Tick between 1 and {MAX_TICKED:,} deleted rows to restore."
        )
    return by_ids(sorted({int(value) for value in ticked}))


class RecentlyDeletedView(PanelPage):
    name = "Recently deleted"
    icon = "fa-solid fa-trash-arrow-up"

    @expose("/recently-deleted", methods=["GET", "POST"], identity="recently-deleted")
    async def recently_deleted(self, request: Request) -> Response:
        error = None
        if request.method == "POST":
            form = await text_form(request)
            try:
                with refusing("Nothing was changed."):
                    message = await self._act(request, form)
            except ActionRefused as refusal:
                error = str(refusal)
            else:
                if isinstance(message, Response):
                    return message  # started as a background job: its page
                flash(request, message, category="success")
                return RedirectResponse(request.url, status_code=303)
        rows = await anyio.to_thread.run_sync(self._rows, request.query_params)
        context = {
            "rows": rows[:PAGE_SIZE],
            "older": rows[PAGE_SIZE][0].id + 1 if len(rows) > PAGE_SIZE else None,
            "params": request.query_params,
            "targets": TARGETS,
            "can_restore": self.has_permission(request, RESTORE),
            "can_purge": self.has_permission(request, PURGE),
            "retention_days": self.panel.retention_days,
            "error": error,
            "title": "Recently deleted",
        }
        status = 409 if error else 200
        return await self.templates.TemplateResponse(request, TEMPLATE, context, status)

    def _rows(self, params: QueryParams) -> list[tuple[RowImage, ChangeSet]]:
        with self.panel.sync_sessions() as session:
            unpack_for_reading(session)
            return [(image, change_set) for image, change_set in session.execute(_listed(params))]

    async def _act(self, request: Request, form: FormData) -> str | Response:
        action = form.get("action")
        if action == "purge":
            if not self.has_permission(request, PURGE):
                raise HTTPException(status_code=403)
            raw = str(form.get("older_than", ""))
            days = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 5 else None
            if days is None:
                raise HTTPException(status_code=400, detail="Purge takes a number of days.")
            if total := await anyio.to_thread.run_sync(self._large, purgeable_rows(days)):
                return await self._start(
                    request,
                    form,
                    kind=write_jobs.PURGE,
                    params={"days": days},
                    total=total,
                    title=f"purge of {total:,} deleted rows older than {days} days",
                )
            removed = await anyio.to_thread.run_sync(self._purge, days)
            return f"Purged {removed:,} deleted rows older than {days} days, for good."
        if action != "restore":
            raise HTTPException(status_code=400, detail="Choose restore or purge.")
        if not self.has_permission(request, RESTORE):
            raise HTTPException(status_code=403)
        which = _chosen(form)
        reason = str(form.get("reason", ""))
        change_set = parse_id(str(form.get("change_set", "")))
        if change_set is not None and (
            total := await anyio.to_thread.run_sync(self._large, restorable_rows(change_set))
        ):
            return await self._start(
                request,
                form,
                kind=write_jobs.RESTORE,
                params={"change_set": change_set, "reason": reason},
                total=total,
                title=f"restore of {total:,} rows of change set #{change_set}",
            )
        restored = await anyio.to_thread.run_sync(self._restore, which, reason, acting(request))
        return f"Restored {restored_in_words(restored)}, with their ids, dates and organizers."

    def _large(self, rows: AnySelect) -> int | None:
        """How many rows, when more than a request should write (None when fewer)."""
        with self.panel.sync_sessions() as session:
            unpack_for_reading(session)
            if not more_than(session, rows, self.panel.write_rows):
                return None
            return count_rows(session, rows)

    async def _start(
        self,
        request: Request,
        form: FormData,
        *,
        kind: str,
        params: dict[str, Any],
        total: int,
        title: str,
    ) -> Response:
        return await write_jobs.start(
            request,
            self.panel.jobs,
            kind=kind,
            params=params,
            total=total,
            title=title,
            key=str(form.get("idempotency_key", "")),
        )

    def _purge(self, days: int) -> int:
        with self.panel.sync_sessions() as session, session.begin():
            return purge_deleted(session, older_than_days=days)

    def _restore(self, which: Which, reason: str, by: Acting) -> dict[str, int]:
        with self.panel.sync_sessions() as session, session.begin():
            return restore_deleted(session, which=which, reason=reason, acting=by)
