"""Saved views over HTTP: save the list as it stands, open a view at its stable URL
(`/admin/<list>/saved-view/<id>`), rename, share, make it the list's team default, delete; and the
views each page's sidebar lists. The rules live in staff/saved_views.py."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import URL, FormData, QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse

from admin_app.admin.feedback import flash
from admin_app.admin.formatters import path_only
from admin_app.admin.ids import is_id
from admin_app.admin.list_columns import COLUMNS, is_default, shown_columns
from admin_app.models import SavedView, StaffRole
from admin_app.staff import saved_views
from admin_app.staff.preferences import Preferences
from admin_app.staff.saved_views import ViewRefused
from admin_app.web.auth import ROLE_STATE, STAFF_STATE
from admin_app.web.redirects import ADMIN_PREFIX

# `?view=<id>` on a list: it shows that saved view (the banner names it); `?view=all`: the whole
# list, even where the team has a default view.
VIEW = "view"
WHOLE_LIST = "all"
# Parameters a saved view keeps besides the list's filters.
KEPT = ("search", "sortBy", "sort", "pageSize", COLUMNS)
_MEMO_STATE = "saved_views"


@dataclass(frozen=True)
class ViewLink:
    id: int
    identity: str
    name: str
    list_name: str
    query: str
    shared: bool
    team_default: bool
    may_change: bool

    @property
    def url(self) -> str:
        return f"{ADMIN_PREFIX}/{self.identity}/saved-view/{self.id}"

    def list_url(self, list_path: str) -> str:
        params = [*parse_qsl(self.query), (VIEW, str(self.id))]
        return f"{list_path}?{urlencode(params)}"


def staff_of(request: Request) -> tuple[int, StaffRole]:
    return int(request.session[STAFF_STATE]), getattr(request.state, ROLE_STATE)


def _link(view: SavedView, names: dict[str, str], staff_id: int, role: StaffRole) -> ViewLink:
    return ViewLink(
        id=view.id,
        identity=view.identity,
        name=view.name,
        list_name=names.get(view.identity, view.identity),
        query=view.query,
        shared=view.shared,
        team_default=view.team_default,
        may_change=saved_views.may_change(view, staff_id=staff_id, role=role),
    )


async def views_for(
    request: Request, sessions: sessionmaker[Session], names: dict[str, str]
) -> list[ViewLink]:
    """The saved views this staff member sees (once per request: the sidebar and the list)."""
    memo: list[ViewLink] | None = getattr(request.state, _MEMO_STATE, None)
    if memo is not None:
        return memo
    if not isinstance(request.session.get(STAFF_STATE), int):
        return []  # a page outside a staff session (an error page)
    staff_id, role = staff_of(request)

    def load() -> list[ViewLink]:
        with sessions() as session:
            found = saved_views.visible_to(session, staff_id=staff_id)
            return [_link(view, names, staff_id, role) for view in found if view.identity in names]

    memo = await anyio.to_thread.run_sync(load)
    setattr(request.state, _MEMO_STATE, memo)
    return memo


def list_state_query(view: Any, params: QueryParams, shown: list[str]) -> str:
    """What a saved view keeps of the list: filters, search, sort, page size and (when not the
    list's own) the columns; never paging or a selection."""
    kept = {*KEPT, *(f.parameter_name for f in view.get_filters())} - {COLUMNS}
    items = [(key, value) for key, value in params.multi_items() if key in kept and value]
    if not is_default(view, shown):
        items.append((COLUMNS, ",".join(shown)))
    return urlencode(items)


def _back_to_list(request: Request, identity: str, query: str) -> URL:
    url = URL(path_only(str(request.url_for("admin:list", identity=identity))))
    return url.replace(query=query)


async def save(
    request: Request, view: Any, sessions: sessionmaker[Session], form: FormData
) -> RedirectResponse:
    """Save the list the form was on (its state travels in the form) under a name."""
    staff_id, role = staff_of(request)
    query = str(form.get("state", ""))
    # The state is re-read as the list would read it: only the parameters a view keeps.
    params = QueryParams(query)
    shown = shown_columns(view, params, Preferences())
    cleaned = list_state_query(view, params, shown)

    def run() -> int:
        with sessions() as session:
            return saved_views.create(
                session,
                owner_id=staff_id,
                role=role,
                identity=view.identity,
                name=str(form.get("name", "")),
                query=cleaned,
                shared=form.get("shared") == "yes",
            ).id

    try:
        new_id = await anyio.to_thread.run_sync(run)
    except ViewRefused as refused:
        flash(request, f"The view was not saved: {refused}", category="danger")
        return RedirectResponse(_back_to_list(request, view.identity, query), status_code=303)
    flash(
        request,
        f"Saved the view {' '.join(str(form.get('name', '')).split())!r}.",
        category="success",
    )
    return RedirectResponse(f"{ADMIN_PREFIX}/{view.identity}/saved-view/{new_id}", status_code=303)


async def open_or_change(
    request: Request,
    view: Any,
    sessions: sessionmaker[Session],
    names: dict[str, str],
    form: FormData | None,
) -> RedirectResponse:
    """GET: the list as the view keeps it. POST: rename, (un)share, team default, or delete."""
    staff_id, role = staff_of(request)
    raw = request.path_params["pk"]
    if not is_id(raw):
        raise HTTPException(status_code=404)

    def run() -> tuple[ViewLink, str]:
        with sessions() as session:
            found = saved_views.find(session, view_id=int(raw), staff_id=staff_id)
            if found is None or found.identity != view.identity:
                raise HTTPException(status_code=404)
            link = _link(found, names, staff_id, role)
            if form is None:
                return link, ""
            if form.get("action") == "delete":
                saved_views.delete(session, found, staff_id=staff_id, role=role)
                return link, f"Deleted the view {link.name!r}."
            saved_views.change(
                session,
                found,
                staff_id=staff_id,
                role=role,
                name=str(form.get("name", found.name)),
                shared=form.get("shared") == "yes",
                team_default=form.get("team_default") == "yes",
            )
            return _link(found, names, staff_id, role), f"Saved the view {found.name!r}."

    try:
        link, message = await anyio.to_thread.run_sync(run)
    except ViewRefused as refused:
        flash(request, f"Nothing was changed: {refused}", category="danger")
        return RedirectResponse(request.url.path, status_code=303)
    list_path = path_only(str(request.url_for("admin:list", identity=link.identity)))
    if message:
        flash(request, message, category="success")
    if form is not None and form.get("action") == "delete":
        return RedirectResponse(f"{list_path}?{VIEW}={WHOLE_LIST}", status_code=303)
    return RedirectResponse(link.list_url(list_path), status_code=303 if form else 302)
