"""The import pages: upload a file to a list (users, events), map its columns, run the dry run,
read what it found (counts, a sample of updates with before and after, the errors), download the
error file, confirm, and find the import again later. Editors and admins import; each sees their
own imports (admins everyone's).

The work is done by two jobs (jobs.py): the pages only ask for them and show their
results, so a million-row file never holds a request."""

from collections.abc import AsyncIterator

import anyio.to_thread
from sqladmin import expose
from sqladmin.authorization import Action
from sqlalchemy import select
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from admin_app.admin.actions.export import inert_csv
from admin_app.admin.actions.export_job import size_in_words
from admin_app.admin.actions.imports import actions, reading
from admin_app.admin.actions.imports import jobs as import_jobs
from admin_app.admin.actions.imports.checking import mapping_problems
from admin_app.admin.actions.imports.fields import FIELDS, SAMPLES
from admin_app.admin.actions.imports.findings import details, problems_after
from admin_app.admin.actions.imports.staged import MODES
from admin_app.admin.actions.imports.upload import TooLarge, keep, receive, safe_name
from admin_app.admin.forms.feedback import flash
from admin_app.admin.site.panel import PanelPage
from admin_app.admin.site.roles import acting, job_owner, owned_or_404
from admin_app.admin.views.base import PanelModelView
from admin_app.jobs import store
from admin_app.models import (
    FILE_NAME_MAX_LENGTH,
    Import,
)
from admin_app.web.form_bodies import text_form

PAGE_SIZE = 50
# A multipart body is the file plus a few fields and their boundaries.
FORM_OVERHEAD = 64 * 1024


class ImportsView(PanelPage):
    name = "Imports"
    icon = "fa-solid fa-file-import"

    # --- Pages ---------------------------------------------------------------------------------

    @expose("/imports", methods=["GET"], identity="imports")
    async def imports(self, request: Request) -> Response:
        rows = await anyio.to_thread.run_sync(self._imports, request, None)
        context = {
            "imports": rows,
            "title": "Imports",
            "lists": self._lists(request),
            "mine_only": not acting(request).is_admin,
        }
        return await self.templates.TemplateResponse(request, "imports.html", context)

    @expose("/imports/new/{identity}", methods=["GET", "POST"], identity="import-new")
    async def upload(self, request: Request) -> Response:
        view = self._list(request, request.path_params["identity"])
        if request.method == "GET":
            return await self._upload_page(request, view)
        limit = self.panel.import_max_bytes
        declared = request.headers.get("content-length", "")
        if not declared.isdigit() or int(declared) > limit + FORM_OVERHEAD:
            words = size_in_words(limit)
            return await self._upload_page(
                request, view, f"The file is larger than {words}, the most an import takes.", 413
            )
        form = await request.form(max_files=1, max_fields=8)
        try:
            return await self._received(request, view, form, limit)
        finally:
            await form.close()

    @expose("/imports/sample/{identity}", methods=["GET"], identity="import-sample")
    async def sample(self, request: Request) -> Response:
        view = self._list(request, request.path_params["identity"])
        names = [field.name for field in FIELDS[view.identity]]
        rows = [[sample.get(name, "") for name in names] for sample in SAMPLES[view.identity]]
        body = inert_csv([names, *rows])
        filename = f"{view.name_plural.lower()}-sample.csv"
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @expose("/imports/{import_id}", methods=["GET", "POST"], identity="import")
    async def one(self, request: Request) -> Response:
        found = await anyio.to_thread.run_sync(self._import, request)
        view = self._list(request, found.identity)
        if request.method == "POST":
            return await self._act(request, view, found)
        return await self._page(request, view, found)

    @expose("/imports/{import_id}/errors", methods=["GET"], identity="import-errors")
    async def errors(self, request: Request) -> Response:
        found = await anyio.to_thread.run_sync(self._import, request)
        self._list(request, found.identity)
        factory = self.panel.sync_sessions

        async def body() -> AsyncIterator[str]:
            yield inert_csv([["row", "column", "value", "message"]])
            after = (0, 0)
            while True:
                batch = await anyio.to_thread.run_sync(problems_after, factory, found.id, after)
                if not batch:
                    return
                yield inert_csv([row[2:] for row in batch])
                after = (batch[-1][0], batch[-1][1])

        name = found.file_name.rsplit(".", 1)[0]
        return StreamingResponse(
            body(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{safe_name(name)}-errors.csv"'},
        )

    # --- Upload ----------------------------------------------------------------------------------

    async def _upload_page(
        self, request: Request, view: PanelModelView, problem: str = "", status: int = 200
    ) -> Response:
        recent = await anyio.to_thread.run_sync(self._imports, request, view.identity)
        context = {
            "model_view": view,
            "problem": problem,
            "recent": recent[:10],
            "fields": FIELDS[view.identity],
            "max_size": size_in_words(self.panel.import_max_bytes),
            "title": f"Import {view.name_plural.lower()}",
        }
        return await self.templates.TemplateResponse(
            request, "import_new.html", context, status_code=status
        )

    async def _received(
        self, request: Request, view: PanelModelView, form: FormData, limit: int
    ) -> Response:
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return await self._upload_page(request, view, "Choose a CSV or XLSX file.", 400)
        file_name = safe_name(upload.filename)[:FILE_NAME_MAX_LENGTH] or "upload"
        try:
            received = await anyio.to_thread.run_sync(receive, upload.file, file_name, limit)
        except TooLarge:
            words = size_in_words(limit)
            return await self._upload_page(
                request, view, f"The file is larger than {words}, the most an import takes.", 413
            )
        except reading.FileProblem as problem:
            return await self._upload_page(request, view, str(problem), 400)
        try:
            headers, first_rows = await anyio.to_thread.run_sync(
                reading.header_of, received.path, received.layout
            )
            import_id, new = await anyio.to_thread.run_sync(
                keep,
                self.panel.sync_sessions,
                job_owner(request),
                view.identity,
                file_name,
                received,
                headers,
                first_rows,
            )
        except reading.FileProblem as problem:
            return await self._upload_page(request, view, str(problem), 400)
        finally:
            received.path.unlink(missing_ok=True)
        if new:
            flash(
                request,
                f"Uploaded {file_name}: {len(headers)} columns. Check how they are mapped, then "
                "run the dry run (nothing changes until you confirm).",
            )
        else:
            flash(request, f"You uploaded this file before: it is import #{import_id}.", "info")
        return RedirectResponse(import_jobs.import_link(import_id), status_code=303)

    # --- One import ------------------------------------------------------------------------------

    async def _page(
        self,
        request: Request,
        view: PanelModelView,
        found: Import,
        problems: list[str] | None = None,
        status: int = 200,
    ) -> Response:
        found_out = await anyio.to_thread.run_sync(
            details, self.panel.sync_sessions, acting(request).staff_id, found
        )
        context = {
            "model_view": view,
            "imp": found,
            "fields": FIELDS[found.identity],
            "modes": MODES,
            "problems": problems or [],
            "title": f"Import #{found.id}: {found.file_name}",
            "size": size_in_words(found.file_size),
            "idempotency_key": store.new_idempotency_key(),
            **found_out,
        }
        return await self.templates.TemplateResponse(
            request, "import.html", context, status_code=status
        )

    async def _act(self, request: Request, view: PanelModelView, found: Import) -> Response:
        form = await text_form(request)
        action = str(form.get("action", ""))
        factory, jobs, who = self.panel.sync_sessions, self.panel.jobs, job_owner(request)
        if found.committed_at is not None and action != "forget":
            flash(request, "This file was imported already: undo its change set instead.", "error")
            return RedirectResponse(request.url, status_code=303)
        if action in ("check", "save-mapping"):
            mapping = [str(form.get(f"map-{n}", "")) for n in range(len(found.headers))]
            mode = str(form.get("mode", ""))
            skip = form.get("skip_unchanged") == "yes"
            if problems := mapping_problems(found.identity, mapping, mode):
                found.mapping, found.mode, found.skip_unchanged = mapping, mode, skip
                return await self._page(request, view, found, problems, 400)
            await anyio.to_thread.run_sync(
                actions.set_mapping, factory, found.id, mapping, mode, skip
            )
            if action == "save-mapping":
                return await actions.save_mapping(request, factory, who, found, mapping, form)
            return await actions.start(request, factory, jobs, who, found, import_jobs.CHECK, form)
        if action == "apply-mapping":
            saved = str(form.get("saved", ""))
            return await actions.apply_mapping(request, factory, who, found, saved)
        if action == "commit":
            return await actions.start(request, factory, jobs, who, found, import_jobs.COMMIT, form)
        if action == "forget":
            return await actions.forget(request, factory, found)
        raise HTTPException(status_code=400, detail="Choose check, commit or discard.")

    # --- Lookups ---------------------------------------------------------------------------------

    def _lists(self, request: Request) -> list[PanelModelView]:
        return [
            view
            for view in self.panel.views
            if isinstance(view, PanelModelView)
            and view.identity in FIELDS
            and view.is_accessible(request)
            and view.has_permission(request, str(Action.CREATE))
            and view.has_permission(request, str(Action.EDIT))
        ]

    def _list(self, request: Request, identity: str) -> PanelModelView:
        """The list a file is imported to, when this staff member may create and edit its rows
        (404 for a list that takes no imports, 403 for a role that may not)."""
        view = next(
            (
                v
                for v in self.panel.views
                if isinstance(v, PanelModelView) and v.identity == identity
            ),
            None,
        )
        if view is None or identity not in FIELDS:
            raise HTTPException(status_code=404, detail="There is no such list to import to.")
        if view not in self._lists(request):
            raise HTTPException(status_code=403)
        return view

    def _imports(self, request: Request, identity: str | None) -> list[Import]:
        statement = select(Import).order_by(Import.id.desc()).limit(PAGE_SIZE)
        who = acting(request)
        if not who.is_admin:
            statement = statement.where(Import.owner_id == who.staff_id)
        if identity is not None:
            statement = statement.where(Import.identity == identity)
        with self.panel.sync_sessions() as session:
            return list(session.scalars(statement))

    def _import(self, request: Request) -> Import:
        return owned_or_404(request, self.panel.sync_sessions, Import, "import_id", "import")
