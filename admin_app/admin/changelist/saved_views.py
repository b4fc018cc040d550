"""Saved views over HTTP: save the list as it stands, open a view at its stable URL
(`/admin/<list>/saved-view/<id>`), rename, share, make it the list's team default, delete; and the
views each page's sidebar lists. The rules live in staff/saved_views.py."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import URL, FormData, QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse

from admin_app.admin.changelist.columns import COLUMNS, is_default, shown_columns
from admin_app.admin.changelist.parameters import KEPT_BY_SAVED_VIEWS
from admin_app.admin.core.formatters import path_only
from admin_app.admin.core.ids import is_id
from admin_app.admin.forms.feedback import flash
from admin_app.models import SavedView, StaffRole
from admin_app.staff import saved_views
from admin_app.staff.preferences import Preferences
from admin_app.staff.saved_views import SIDEBAR_VIEWS_PER_LIST, ViewRefused
from admin_app.web.auth import ROLE_STATE, SIDEBAR_VIEWS_STATE, STAFF_STATE
from admin_app.web.edge.redirects import ADMIN_PREFIX

# `?view=<id>` on a list: it shows that saved view (the banner names it); `?view=all`: the whole
# list, even where the team has a default view.
VIEW = "view"
WHOLE_LIST = "all"
_MEMO_STATE = "saved_views"
# Views a search names (the palette shows the first few, the saved views page these).
SEARCH_LIMIT = 100


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


@dataclass(frozen=True)
class ViewMenu:
    """The saved views a page names: the first few of each list (the sidebar's; a list's team
    default always among them), the one `?view=` opens, and how many each list has in all."""

    links: list[ViewLink] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)

    def __iter__(self) -> Iterator[ViewLink]:
        return iter(self.links)

    def more(self, identity: str) -> int:
        """How many views of this list the sidebar does not name (its saved views page does)."""
        named = sum(1 for link in self.links if link.identity == identity)
        return max(self.totals.get(identity, 0) - named, 0)


async def views_for(
    request: Request, sessions: sessionmaker[Session], names: dict[str, str]
) -> ViewMenu:
    """The saved views a page names (once per request: the sidebar and the list). A page's
    access check read the sidebar's already, in the same trip to the database (web/auth.py):
    they are read here only when it did not, or when `?view=` opens one beyond them."""
    memo: ViewMenu | None = getattr(request.state, _MEMO_STATE, None)
    if memo is not None:
        return memo
    if not isinstance(request.session.get(STAFF_STATE), int):
        return ViewMenu()  # a page outside a staff session (an error page)
    staff_id, role = staff_of(request)
    opened = request.query_params.get(VIEW, "")

    def menu(found: list[SavedView], totals: dict[str, int]) -> ViewMenu:
        links = [_link(view, names, staff_id, role) for view in found if view.identity in names]
        return ViewMenu(links, totals)

    def load() -> ViewMenu:
        with sessions() as session:
            found, totals = saved_views.first_of_each_list(
                session, staff_id=staff_id, per_list=SIDEBAR_VIEWS_PER_LIST
            )
            if _opens_another(opened, found):
                extra = saved_views.find(session, view_id=int(opened), staff_id=staff_id)
                found += [extra] if extra is not None else []
            return menu(found, totals)

    read = getattr(request.state, SIDEBAR_VIEWS_STATE, None)
    if read is not None and not _opens_another(opened, read[0]):
        memo = menu(*read)
    else:
        memo = await anyio.to_thread.run_sync(load)
    setattr(request.state, _MEMO_STATE, memo)
    return memo


def _opens_another(opened: str, found: list[SavedView]) -> bool:
    """Whether `?view=` names a view beyond those the sidebar names."""
    return is_id(opened) and all(view.id != int(opened) for view in found)


def views_named(
    request: Request, sessions: sessionmaker[Session], names: dict[str, str], term: str
) -> list[ViewLink]:
    """The saved views on any list whose names contain `term` (the global search's)."""
    staff_id, role = staff_of(request)
    with sessions() as session:
        found = saved_views.named(session, staff_id=staff_id, search=term, limit=SEARCH_LIMIT)
        return [_link(view, names, staff_id, role) for view in found if view.identity in names]


def views_of_list(
    request: Request,
    sessions: sessionmaker[Session],
    names: dict[str, str],
    identity: str,
    search: str,
) -> list[ViewLink]:
    """One list's saved views whose names contain `search`, one past SEARCH_LIMIT (to say more
    are left)."""
    staff_id, role = staff_of(request)
    with sessions() as session:
        found = saved_views.visible_to(
            session, staff_id=staff_id, identity=identity, search=search, limit=SEARCH_LIMIT + 1
        )
        return [_link(view, names, staff_id, role) for view in found]


async def state_problem(view: Any, query: str) -> str | None:
    """Why a list cannot show this saved state (the message its 400 would give), or None: a
    view is checked as the list would read it, when saved and again each time it is opened."""
    params = QueryParams(query)
    try:
        shown_columns(view, params, Preferences())
        await view.matching_query(params)
        view.validate_page_number(params.get("pageSize"), view.page_size)
    except HTTPException as refused:
        return str(refused.detail)
    return None


def list_state_query(view: Any, params: QueryParams, shown: list[str]) -> str:
    """What a saved view keeps of the list: filters, search, sort, page size and (when not the
    list's own) the columns; never paging or a selection."""
    kept = {*KEPT_BY_SAVED_VIEWS, *(f.parameter_name for f in view.get_filters())} - {COLUMNS}
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
    if problem := await state_problem(view, query):
        flash(request, f"The view was not saved: {problem}", category="danger")
        whole_list = f"{VIEW}={WHOLE_LIST}"
        return RedirectResponse(_back_to_list(request, view.identity, whole_list), status_code=303)
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
            if form.get("action") == "step_down":
                saved_views.step_down(session, found, role=role)
                return link, f"{link.list_name} have no team default now ({link.name!r} stays)."
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
    if form is not None and form.get("action") in ("delete", "step_down"):
        return RedirectResponse(f"{list_path}?{VIEW}={WHOLE_LIST}", status_code=303)
    if problem := await state_problem(view, link.query):
        # The list could not show it (a filter the panel no longer accepts): the whole list,
        # with the view's banner, so it can be changed or deleted from there.
        flash(request, ignored_notice(link, problem), category="warning")
        return RedirectResponse(f"{list_path}?{VIEW}={link.id}", status_code=303 if form else 302)
    return RedirectResponse(link.list_url(list_path), status_code=303 if form else 302)


def ignored_notice(link: ViewLink, problem: str) -> str:
    return (
        f"The saved view {link.name!r} could not be applied ({problem}); showing the whole list. "
        "Its owner or an admin can change or delete it."
    )
