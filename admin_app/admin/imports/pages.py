"""The import pages: upload a file to a list (users, events), map its columns, run the dry run,
read what it found (counts, a sample of updates with before and after, the errors), download the
error file, confirm, and find the import again later. Editors and admins import; each sees their
own imports (admins everyone's).

The work is done by two jobs (jobs.py): the pages only ask for them and show their
results, so a million-row file never holds a request."""

from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
from sqladmin import expose
from sqladmin.authorization import Action
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from admin_app import audit
from admin_app.admin.base import PanelModelView
from admin_app.admin.export import inert_csv
from admin_app.admin.export_job import size_in_words
from admin_app.admin.feedback import flash
from admin_app.admin.formatters import path_only
from admin_app.admin.ids import parse_id
from admin_app.admin.imports import jobs as import_jobs
from admin_app.admin.imports import reading, stored
from admin_app.admin.imports.checking import mapping_problems
from admin_app.admin.imports.fields import FIELDS, SAMPLES, field_map, guess_mapping
from admin_app.admin.imports.staged import MODES, UPDATE, discard
from admin_app.admin.panel import PanelPage
from admin_app.admin.roles import acting
from admin_app.jobs import store
from admin_app.jobs.runner import job_link
from admin_app.jobs.store import Owner
from admin_app.models import (
    FILE_NAME_MAX_LENGTH,
    Event,
    Import,
    ImportProblem,
    ImportRow,
    Job,
    JobState,
    User,
)
from admin_app.staff import preferences
from admin_app.web.form_bodies import text_form

# Rows of the dry run shown on the page (the error file has every problem).
SAMPLE_ROWS = 20
PAGE_SIZE = 50
# A multipart body is the file plus a few fields and their boundaries.
FORM_OVERHEAD = 64 * 1024
_RUNNING = (JobState.QUEUED, JobState.RUNNING)


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
                batch = await anyio.to_thread.run_sync(_problems_after, factory, found.id, after)
                if not batch:
                    return
                yield inert_csv([row[2:] for row in batch])
                after = (batch[-1][0], batch[-1][1])

        name = found.file_name.rsplit(".", 1)[0]
        return StreamingResponse(
            body(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{_safe(name)}-errors.csv"'},
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
        file_name = _safe(upload.filename)[:FILE_NAME_MAX_LENGTH] or "upload"
        try:
            received = await anyio.to_thread.run_sync(stored.receive, upload.file, file_name, limit)
        except stored.TooLarge:
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
                self._keep, request, view.identity, file_name, received, headers, first_rows
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

    def _keep(
        self,
        request: Request,
        identity: str,
        file_name: str,
        received: stored.Received,
        headers: list[str],
        first_rows: list[list[str]],
    ) -> tuple[int, bool]:
        who = acting(request)
        with self.panel.sync_sessions() as session, session.begin():
            existing = session.scalar(
                select(Import.id).where(
                    Import.owner_id == who.staff_id,
                    Import.identity == identity,
                    Import.file_hash == received.sha256,
                )
            )
            if existing is not None:
                return int(existing), False
            saved = _saved_mapping(session, who.staff_id, identity, headers)
            found = Import(
                identity=identity,
                owner_id=who.staff_id,
                owner_email=_email(),
                file_name=file_name,
                file_hash=received.sha256,
                file_size=received.size,
                file_format=received.layout.file_format,
                encoding=received.layout.encoding,
                delimiter=received.layout.delimiter,
                headers=headers,
                preview=first_rows,
                mapping=saved or guess_mapping(identity, headers),
                mode="create_update",
                skip_unchanged=True,
            )
            session.add(found)
            session.flush()
            stored.store(session, found.id, received.path)
            return found.id, True

    # --- One import ------------------------------------------------------------------------------

    async def _page(
        self,
        request: Request,
        view: PanelModelView,
        found: Import,
        problems: list[str] | None = None,
        status: int = 200,
    ) -> Response:
        details = await anyio.to_thread.run_sync(self._details, request, found)
        context = {
            "model_view": view,
            "imp": found,
            "fields": FIELDS[found.identity],
            "modes": MODES,
            "problems": problems or [],
            "title": f"Import #{found.id}: {found.file_name}",
            "size": size_in_words(found.file_size),
            "idempotency_key": store.new_idempotency_key(),
            **details,
        }
        return await self.templates.TemplateResponse(
            request, "import.html", context, status_code=status
        )

    def _details(self, request: Request, found: Import) -> dict[str, Any]:
        factory = self.panel.sync_sessions
        with factory() as session:
            check_job = session.get(Job, found.check_job_id) if found.check_job_id else None
            commit_job = session.get(Job, found.commit_job_id) if found.commit_job_id else None
            samples = _samples(session, found)
            errors = session.scalars(
                select(ImportProblem)
                .where(ImportProblem.import_id == found.id)
                .order_by(ImportProblem.row_no, ImportProblem.id)
                .limit(SAMPLE_ROWS)
            ).all()
            problem_count = session.scalar(
                select(func.count()).where(ImportProblem.import_id == found.id)
            )
            who = acting(request)
            saved = (
                preferences.load(session, staff_id=who.staff_id).import_mappings.get(
                    found.identity, {}
                )
                if who.staff_id is not None
                else {}
            )
        checked = dict(found.checked or {})
        checked.pop("at", None)
        current = found.counts is not None and checked == import_jobs.checked_state(found)
        busy = any(job is not None and job.state in _RUNNING for job in (check_job, commit_job))
        return {
            "check_job": check_job,
            "commit_job": commit_job,
            "samples": samples,
            "errors": errors,
            "problem_count": problem_count or 0,
            "saved_mappings": sorted(saved),
            "dry_run_current": current,
            "busy": busy,
            # Each column's first values, beside its field on the mapping form.
            "examples": [
                [row[n] if n < len(row) else "" for row in found.preview or []]
                for n in range(len(found.headers))
            ],
            "to_write": (found.counts or {}).get("create", 0)
            + (found.counts or {}).get("update", 0),
        }

    async def _act(self, request: Request, view: PanelModelView, found: Import) -> Response:
        form = await text_form(request)
        action = str(form.get("action", ""))
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
            await anyio.to_thread.run_sync(self._set_mapping, found.id, mapping, mode, skip)
            if action == "save-mapping":
                return await self._save_mapping(request, found, mapping, form)
            return await self._start(request, found, import_jobs.CHECK, form)
        if action == "apply-mapping":
            return await self._apply_mapping(request, found, str(form.get("saved", "")))
        if action == "commit":
            return await self._start(request, found, import_jobs.COMMIT, form)
        if action == "forget":
            return await self._forget(request, found)
        raise HTTPException(status_code=400, detail="Choose check, commit or discard.")

    async def _start(self, request: Request, found: Import, kind: str, form: Any) -> Response:
        def ask() -> tuple[int, bool] | str:
            with self.panel.sync_sessions() as session, session.begin():
                current = session.get(Import, found.id, with_for_update=True)
                assert current is not None
                if refusal := _refusal(session, current, kind):
                    return refusal
                job_id, created = store.ask(
                    self.panel.sync_sessions,
                    kind=kind,
                    owner=Owner(staff_id=acting(request).staff_id, email=_email()),
                    params={"import": found.id, "file": found.file_name},
                    total=None,
                    idempotency_key=str(form.get("idempotency_key", ""))[:64] or None,
                )
                column = "check_job_id" if kind == import_jobs.CHECK else "commit_job_id"
                values: dict[str, Any] = {column: job_id}
                if kind == import_jobs.CHECK:
                    values.update(checked=None, counts=None)
                session.execute(update(Import).where(Import.id == found.id).values(**values))
            return job_id, created

        asked = await anyio.to_thread.run_sync(ask)
        if isinstance(asked, str):
            flash(request, asked, "error")
            return RedirectResponse(request.url, status_code=303)
        job_id, created = asked
        if created:
            await anyio.to_thread.run_sync(self.panel.jobs.send, job_id)
            what = "dry run" if kind == import_jobs.CHECK else "import"
            flash(request, f"Started the {what} of {found.file_name}, as job #{job_id}.")
        return RedirectResponse(job_link(job_id), status_code=303)

    def _set_mapping(self, import_id: int, mapping: list[str], mode: str, skip: bool) -> None:
        with self.panel.sync_sessions() as session, session.begin():
            session.execute(
                update(Import)
                .where(Import.id == import_id, Import.committed_at.is_(None))
                .values(mapping=mapping, mode=mode, skip_unchanged=skip)
            )

    async def _save_mapping(
        self, request: Request, found: Import, mapping: list[str], form: Any
    ) -> Response:
        name = str(form.get("mapping_name", "")).strip()
        staff_id = acting(request).staff_id
        if not name or staff_id is None:
            flash(request, "Name the mapping to save it.", "error")
            return RedirectResponse(request.url, status_code=303)
        by_header = {
            header.casefold(): field
            for header, field in zip(found.headers, mapping, strict=True)
            if header
        }

        def save() -> None:
            with self.panel.sync_sessions() as session:
                preferences.save_import_mapping(
                    session,
                    staff_id=staff_id,
                    identity=found.identity,
                    name=name,
                    mapping=by_header,
                )

        await anyio.to_thread.run_sync(save)
        flash(request, f"Saved the mapping as \u201c{name}\u201d: files with these columns use it.")
        return RedirectResponse(request.url, status_code=303)

    async def _apply_mapping(self, request: Request, found: Import, name: str) -> Response:
        staff_id = acting(request).staff_id

        def apply() -> bool:
            with self.panel.sync_sessions() as session, session.begin():
                if staff_id is None:
                    return False
                saved = preferences.load(session, staff_id=staff_id).import_mappings
                named = saved.get(found.identity, {}).get(name)
                if named is None:
                    return False
                mapping = _mapping_from(found.identity, found.headers, named)
                session.execute(
                    update(Import)
                    .where(Import.id == found.id)
                    .values(mapping=mapping, checked=None, counts=None)
                )
                return True

        if await anyio.to_thread.run_sync(apply):
            flash(request, f"Applied the mapping \u201c{name}\u201d. Run the dry run to check it.")
        else:
            flash(request, "There is no saved mapping of that name.", "error")
        return RedirectResponse(request.url, status_code=303)

    async def _forget(self, request: Request, found: Import) -> Response:
        def forget() -> str | None:
            with self.panel.sync_sessions() as session, session.begin():
                current = session.get(Import, found.id, with_for_update=True)
                if current is None:
                    return None
                if _job_running(session, current.check_job_id, current.commit_job_id):
                    return "A job of this import is running: cancel it first."
                discard(session, found.id)
                return None

        if refusal := await anyio.to_thread.run_sync(forget):
            flash(request, refusal, "error")
            return RedirectResponse(request.url, status_code=303)
        kept = " The rows it imported stay (undo its change set)." if found.committed_at else ""
        flash(request, f"Discarded import #{found.id} ({found.file_name}) and its file.{kept}")
        return RedirectResponse(path_only(request.url_for("admin:view-imports")), status_code=303)

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
        import_id = parse_id(request.path_params["import_id"])
        with self.panel.sync_sessions() as session:
            found = session.get(Import, import_id) if import_id is not None else None
        who = acting(request)
        # Another staff member's import is "not found", as if it did not exist.
        if found is None or not (who.is_admin or found.owner_id == who.staff_id):
            raise HTTPException(status_code=404, detail="There is no such import.")
        return found


def _email() -> str:
    actor = audit.current_actor()
    return actor.email if actor else ""


def _safe(name: str) -> str:
    # A file name as a header and a page show it: no path, no quotes, no control characters.
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in base if c.isprintable() and c not in '"').strip()


def _job_running(session: Session, *job_ids: int | None) -> bool:
    ids = [job_id for job_id in job_ids if job_id is not None]
    if not ids:
        return False
    running = session.scalar(select(func.count()).where(Job.id.in_(ids), Job.state.in_(_RUNNING)))
    return bool(running)


def _refusal(session: Session, found: Import, kind: str) -> str | None:
    if _job_running(session, found.check_job_id, found.commit_job_id):
        return "A job of this import is running already: wait for it, or cancel it."
    if kind == import_jobs.COMMIT:
        checked = dict(found.checked or {})
        checked.pop("at", None)
        if found.counts is None or checked != import_jobs.checked_state(found):
            return "Run the dry run first: Confirm writes what it checked."
        if not (found.counts.get("create") or found.counts.get("update")):
            return "The dry run found nothing to create or update."
    return None


def _saved_mapping(
    session: Session, staff_id: int | None, identity: str, headers: list[str]
) -> list[str] | None:
    """A saved mapping whose headers are exactly this file's, if there is one."""
    if staff_id is None:
        return None
    saved = preferences.load(session, staff_id=staff_id).import_mappings.get(identity, {})
    wanted = {header.casefold() for header in headers if header}
    for named in reversed(list(saved.values())):
        if set(named) == wanted:
            return _mapping_from(identity, headers, named)
    return None


def _mapping_from(identity: str, headers: list[str], named: dict[str, str]) -> list[str]:
    fields = field_map(identity)
    return [
        named.get(header.casefold(), "") if named.get(header.casefold(), "") in fields else ""
        for header in headers
    ]


def _problems_after(
    factory: Any, import_id: int, after: tuple[int, int]
) -> list[tuple[int, int, int, str, str, str]]:
    row_no, problem_id = after
    with factory() as session:
        rows = session.execute(
            select(
                ImportProblem.row_no,
                ImportProblem.id,
                ImportProblem.row_no,
                ImportProblem.column,
                ImportProblem.value,
                ImportProblem.message,
            )
            .where(
                ImportProblem.import_id == import_id,
                (ImportProblem.row_no > row_no)
                | ((ImportProblem.row_no == row_no) & (ImportProblem.id > problem_id)),
            )
            .order_by(ImportProblem.row_no, ImportProblem.id)
            .limit(5_000)
        ).all()
    return [tuple(row) for row in rows]


def _samples(session: Session, found: Import) -> list[dict[str, Any]]:
    """A few rows the import would update, with each changed field before and after."""
    staged = session.scalars(
        select(ImportRow)
        .where(ImportRow.import_id == found.id, ImportRow.action == UPDATE)
        .order_by(ImportRow.row_no)
        .limit(SAMPLE_ROWS)
    ).all()
    if not staged:
        return []
    model: Any = User if found.identity == "user" else Event
    live = {
        row.id: row
        for row in session.scalars(select(model).where(model.id.in_([s.target_id for s in staged])))
    }
    mentioned = {s.organizer_id for s in staged}
    mentioned |= {getattr(r, "organizer_id", None) for r in live.values()}
    organizers = _emails(session, mentioned)
    samples = []
    for row in staged:
        now = live.get(row.target_id)
        if now is None:
            continue
        changes = []
        for name in [name for name in found.mapping if name and name != "id"]:
            before, after = _field_values(now, row, name, organizers)
            if before != after:
                changes.append((field_map(found.identity)[name].label, before, after))
        samples.append(
            {"row_no": row.row_no, "id": row.target_id, "label": str(now), "changes": changes}
        )
    return samples


def _field_values(
    now: Any, row: ImportRow, name: str, organizers: dict[int, str]
) -> tuple[str, str]:
    if name == "organizer":
        return organizers.get(now.organizer_id, ""), organizers.get(row.organizer_id or 0, "")
    before = getattr(now, name)
    before = before.value if hasattr(before, "value") else before
    after = getattr(row, name)
    return ("" if before is None else str(before)), ("" if after is None else str(after))


def _emails(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.email).where(User.id.in_(wanted))).all())
