"""Static files addressed by their content: every link to one carries `?v=<hash of the file>`,
so browsers keep it for a year (`immutable`, web/edge/headers.py) and still fetch a changed file
at once, since its link changes with it."""

import hashlib
import stat
from pathlib import Path
from typing import Any

from jinja2 import pass_context
from starlette.datastructures import URL
from starlette.staticfiles import StaticFiles

from admin_app.web.serving.route_paths import link

VERSION = "v"
# Hex digits of the hash kept in a link: 32 bits tell a file's versions apart (each is compared
# only with its own earlier ones), at 16 links a page.
DIGITS = 8
STATICS_ROUTE = "admin:statics"


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
            self._known[path] = digest[:DIGITS] if digest else None
        return self._known[path]


def versioned_url_for(fingerprints: Fingerprints) -> Any:
    """The templates' `url_for` (SQLAdmin's: `request.url_for`), each link made once
    (route_paths.link), and static links carrying their file's hash."""

    @pass_context
    def url_for(context: Any, name: str, /, **params: Any) -> URL:
        found = link(context["request"], name, **params)
        version = fingerprints.of(str(params.get("path", ""))) if name == STATICS_ROUTE else None
        # A static file's link has no query of its own: appended, not parsed and rebuilt.
        return URL(f"{found}?{VERSION}={version}" if version else found)

    return url_for
