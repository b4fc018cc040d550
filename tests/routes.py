"""Every route the app mounts (its own, FastAPI's included routers, SQLAdmin's), for the tests
that walk them all."""

import re
from dataclasses import dataclass

from starlette.routing import BaseRoute, Mount

# A value for each path parameter that names something real in the walks' data.
SAMPLE_PARAMS = {"identity": "event", "pk": "1", "export_type": "csv", "kind": "set-status"}


@dataclass(frozen=True)
class MountedRoute:
    path: str
    # The methods it answers, HEAD left out (it is a GET; see admin_app/web/edge/methods.py).
    methods: frozenset[str]
    name: str

    def concrete(self, **params: str) -> str:
        """The path with its parameters filled in (`params` first, then SAMPLE_PARAMS)."""
        values = {**SAMPLE_PARAMS, **params}
        return re.sub(r"{(\w+)(?::\w+)?}", lambda m: values.get(m.group(1), "x"), self.path)

    @property
    def parameters(self) -> set[str]:
        return set(re.findall(r"{(\w+)(?::\w+)?}", self.path))


def mounted_routes(routes: list[BaseRoute], prefix: str = "") -> list[MountedRoute]:
    found: list[MountedRoute] = []
    for route in routes:
        path = prefix + str(getattr(route, "path", ""))
        name = str(getattr(route, "name", ""))
        if isinstance(route, Mount) and not path.endswith("/statics"):
            found += mounted_routes(list(route.routes), path)
        elif isinstance(route, Mount):
            found.append(MountedRoute(path + "/{file:path}", frozenset({"GET"}), name))
        elif hasattr(route, "methods"):
            methods = frozenset(route.methods or {"GET"}) - {"HEAD"}
            found.append(MountedRoute(path, methods, name))
        else:  # a router FastAPI included into another: its routes are the original router's
            found += mounted_routes(list(route.original_router.routes), prefix)  # type: ignore[attr-defined]
    return found
