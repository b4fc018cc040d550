"""Row links built once per page: SQLAdmin asks `url_for` for every link of every row (75 on a
list page). Each link's base is made once (web/serving/route_paths.py, the one memo around
`url_for`) and each row only adds its key.
"""

from functools import cache
from typing import Any

from sqladmin import ModelView
from sqladmin.helpers import get_object_identifier, get_primary_keys, slugify_class_name
from starlette.datastructures import URL
from starlette.requests import Request

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
        if not base.endswith(_KEY):  # a route whose key is not the last segment
            return super()._build_url_for(name, request, obj)
        return URL(base[: -len(_KEY)] + pk)

    # SQLAdmin's (private) builder of a row's delete link.
    def _url_for_delete(self, request: Request, obj: Any) -> str:
        base = link(request, "admin:delete", identity=self._identity_for_object(obj))
        return f"{base}?pks={_digit_key(obj) or get_object_identifier(obj)}"
