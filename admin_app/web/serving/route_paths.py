"""Links to routes found once: the one memo around `url_for`.

`url_for` walks the app's routes, and each mount's, until one has the name: a list page asks
about fifty times (menu, static files, actions, row links), a fifth of its CPU. The routes never
change once the app is built, so the path for a name and its parameters is kept
(`remember_paths`), and so is each absolute link made of it for a site address (`link`): the
row links, the template's `url_for` and the static files' links all ask here.
"""

from functools import lru_cache
from typing import Any

from starlette.datastructures import URLPath
from starlette.requests import HTTPConnection
from starlette.routing import Router

# Names times parameters: each list's links and a few hundred organizers' details pages.
MEMO_SIZE = 4096

# The router attribute holding its absolute links (each app its own; a router is unhashable),
# by (site address, name, parameters).
_LINKS = "links_made"


def remember_paths(router: Router) -> None:
    find = router.url_path_for

    @lru_cache(maxsize=MEMO_SIZE)
    def find_once(name: str, params: tuple[tuple[str, Any], ...]) -> URLPath:
        return find(name, **dict(params))

    def url_path_for(name: str, /, **path_params: Any) -> URLPath:
        key = _key_of(path_params)
        if key is None:  # a parameter that is not a plain value: found every time
            return find(name, **path_params)
        return find_once(name, key)

    router.url_path_for = url_path_for  # type: ignore[method-assign]


def link(request: HTTPConnection, name: str, /, **path_params: Any) -> str:
    """`request.url_for(name, **path_params)` as text, made once per site address."""
    params = _key_of(path_params)
    if params is None:
        return str(request.url_for(name, **path_params))
    memo: dict[tuple[str, str, tuple[tuple[str, Any], ...]], str]
    router: Router = request.scope["router"]
    memo = router.__dict__.setdefault(_LINKS, {})
    key = (str(request.base_url), name, params)
    found = memo.get(key)
    if found is None:
        if len(memo) >= MEMO_SIZE:  # site addresses are few (hosts.py); row keys are not
            memo.clear()
        found = memo[key] = str(request.url_for(name, **path_params))
    return found


def _key_of(path_params: dict[str, Any]) -> tuple[tuple[str, Any], ...] | None:
    key = tuple(sorted(path_params.items()))
    try:
        hash(key)
    except TypeError:
        return None
    return key
