"""Route paths found once.

`url_for` walks the app's routes, and each mount's, until one has the name: a list page asks
about fifty times (menu, static files, actions, row links), a fifth of its CPU. The routes never
change once the app is built, so the answer for a name and its parameters is kept. Only the path
is kept: each request still makes it absolute against its own base URL.
"""

from functools import lru_cache
from typing import Any

from starlette.datastructures import URLPath
from starlette.routing import Router

# Names times parameters: each list's links and a few hundred organizers' details pages.
MEMO_SIZE = 4096


def remember_paths(router: Router) -> None:
    find = router.url_path_for

    @lru_cache(maxsize=MEMO_SIZE)
    def find_once(name: str, params: tuple[tuple[str, Any], ...]) -> URLPath:
        return find(name, **dict(params))

    def url_path_for(name: str, /, **path_params: Any) -> URLPath:
        key = tuple(sorted(path_params.items()))
        try:
            hash(key)
        except TypeError:  # a parameter that is not a plain value: found every time
            return find(name, **path_params)
        return find_once(name, key)

    router.url_path_for = url_path_for  # type: ignore[method-assign]
