"""Static files addressed by their content: every link to one carries `?v=<hash of the file>`,
so browsers keep it for a year (`immutable`, headers.py) and still fetch a changed file at once,
since its link changes with it."""

import hashlib
import stat
from pathlib import Path
from typing import Any

from jinja2 import pass_context
from starlette.datastructures import URL
from starlette.staticfiles import StaticFiles

VERSION = "v"
STATICS_ROUTE = "admin:statics"
_MAX_STATIC_LINKS = 1024


class Fingerprints:
    """The content hash of each static file, read once per process (files change with deploys,
    and a deploy restarts the process)."""

    def __init__(self, files: StaticFiles) -> None:
        self.files = files
        self._known: dict[str, str | None] = {}

    def of(self, path: str) -> str | None:
        if path not in self._known:
            full_path, found = self.files.lookup_path(path)
            is_file = found is not None and stat.S_ISREG(found.st_mode)
            digest = hashlib.sha256(Path(full_path).read_bytes()).hexdigest() if is_file else None
            self._known[path] = digest[:12] if digest else None
        return self._known[path]


def versioned_url_for(url_for: Any, fingerprints: Fingerprints) -> Any:
    """SQLAdmin's `url_for` template global, with static links carrying their file's hash."""

    # A page links some sixteen static files: each link, once made for a site address, is kept.
    static_links: dict[tuple[str, str], URL] = {}

    @pass_context
    def wrapped(context: Any, name: str, /, **params: Any) -> URL:
        if name != STATICS_ROUTE:
            return url_for(context, name, **params)  # type: ignore[no-any-return]
        path = str(params.get("path", ""))
        key = (str(context["request"].base_url), path)
        if key not in static_links:
            if len(static_links) >= _MAX_STATIC_LINKS:  # site addresses are few (hosts.py)
                static_links.clear()
            url: URL = url_for(context, name, **params)
            version = fingerprints.of(path)
            # A static file's link has no query of its own: appended, not parsed and rebuilt.
            static_links[key] = URL(f"{url}?{VERSION}={version}") if version else url
        return static_links[key]

    return wrapped
