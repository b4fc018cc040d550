"""Row links built once per page: SQLAdmin asks `url_for` for every link of every row (75 on a
list page), and for each custom action's. Each link's base is made once
(web/serving/route_paths.py, the one memo around `url_for`) and each row only adds its key: as a
URL for SQLAdmin's own callers (RowLinksView), and as a path for a list page's rows (RowPaths,
whose bases are kept for the page).
"""

from functools import cache
from typing import Any

from sqladmin import ModelView
from sqladmin.helpers import get_object_identifier, get_primary_keys, slugify_class_name
from starlette.datastructures import URL
from starlette.requests import Request

from admin_app.admin.core.formatters import path_only
from admin_app.web.serving.route_paths import link

_KEY = "0123456789"  # a key no route converter changes, replaced by each row's own


@cache
def _identity_of_class(class_name: str) -> str:
    return slugify_class_name(class_name)


_KEY_NAMES: dict[type, tuple[str, ...]] = {}


def _key_names(model: type) -> tuple[str, ...]:
    if model not in _KEY_NAMES:
        _KEY_NAMES[model] = tuple(column.name for column in get_primary_keys(model))
    return _KEY_NAMES[model]


def _digit_key(obj: Any) -> str | None:
    """A row's key when it is one integer column (every table here); else None, and SQLAdmin's
    own identifier applies. SQLAdmin inspects the mapper for it each time: five times a row."""
    names = _key_names(type(obj))
    if len(names) != 1:
        return None
    key = getattr(obj, names[0])
    return str(key) if type(key) is int else None


class RowLinksView(ModelView):
    # SQLAdmin names another model's view by running a regular expression over its class
    # name, for every related row on the page (the events list's organizer column).
    def _identity_for_object(self, obj: Any) -> str:
        if isinstance(obj, self.model):
            return self.identity
        return _identity_of_class(type(obj).__name__)

    # SQLAdmin's (private) builder of a row's details and edit links.
    def _build_url_for(self, name: str, request: Request, obj: Any) -> URL:
        pk = _digit_key(obj)
        if pk is None:  # a key a converter might encode: SQLAdmin's own way
            return super()._build_url_for(name, request, obj)
        base = link(request, name, identity=self._identity_for_object(obj), pk=_KEY)
        keyed = _with_key(base, pk)
        if keyed is None:  # a route whose key is not the last segment
            return super()._build_url_for(name, request, obj)
        return URL(keyed)

    # SQLAdmin's (private) builder of a custom action's link: list.html asks for each action
    # twice (its menu and the links without scripts), and url_for made each afresh.
    def _url_for_action(self, request: Request, action_name: str) -> str:
        return link(request, f"admin:action-{self.identity}-{action_name}")

    # SQLAdmin's (private) builder of a row's delete link.
    def _url_for_delete(self, request: Request, obj: Any) -> str:
        base = link(request, "admin:delete", identity=self._identity_for_object(obj))
        return f"{base}?pks={_digit_key(obj) or get_object_identifier(obj)}"


class RowPaths:
    """A list page's row links as paths (details, edit, delete, a related row's details): each
    route's path is made once per page and identity, each row adds its key. The links are the
    ones the view's `_build_url_for` and `_url_for_delete` make (SQLAdmin's, or RowLinksView's
    which make the same); a view making its own, or a key that is not one integer, gets them
    from the view, row by row."""

    def __init__(self, view: ModelView, request: Request) -> None:
        self.view = view
        self.request = request
        self.bases: dict[tuple[str, str], str] = {}
        self.same_links = _makes_standard_links(type(view))

    def key(self, obj: Any) -> str:
        """The row's key as its links and boxes carry it."""
        return _digit_key(obj) or str(get_object_identifier(obj))

    def details(self, obj: Any) -> str:
        return self._path("admin:details", obj)

    def edit(self, obj: Any) -> str:
        return self._path("admin:edit", obj)

    def delete(self, obj: Any) -> str:
        pk = self._key(obj)
        if pk is None:
            return path_only(self.view._url_for_delete(self.request, obj))
        return f"{self._base('admin:delete', obj, with_key=False)}?pks={pk}"

    def _path(self, name: str, obj: Any) -> str:
        pk = self._key(obj)
        keyed = None if pk is None else _with_key(self._base(name, obj, with_key=True), pk)
        if keyed is None:
            return path_only(self.view._build_url_for(name, self.request, obj))
        return keyed

    def _key(self, obj: Any) -> str | None:
        """The row's key when its links can be made from a base (else None: the view's way)."""
        return _digit_key(obj) if self.same_links else None

    def _base(self, name: str, obj: Any, *, with_key: bool) -> str:
        identity = self.view._identity_for_object(obj)
        base = self.bases.get((name, identity))
        if base is None:
            params = {"identity": identity, **({"pk": _KEY} if with_key else {})}
            base = self.bases[name, identity] = path_only(link(self.request, name, **params))
        return base


def _with_key(base: str, pk: str) -> str | None:
    """The link `base`, made for _KEY, with the row's key instead; None when the route's key is
    not its last segment."""
    return base[: -len(_KEY)] + pk if base.endswith(_KEY) else None


def _makes_standard_links(view_class: type[ModelView]) -> bool:
    return view_class._build_url_for in (
        ModelView._build_url_for,
        RowLinksView._build_url_for,
    ) and view_class._url_for_delete in (ModelView._url_for_delete, RowLinksView._url_for_delete)
