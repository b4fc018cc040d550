"""docs/SECURITY.md lists every route the app mounts, with its methods: no more, no fewer."""

import re
from pathlib import Path

from fastapi import FastAPI

from tests.routes import mounted_routes

SECURITY_DOC = Path(__file__).resolve().parent.parent / "docs" / "SECURITY.md"


def _documented() -> set[tuple[str, frozenset[str]]]:
    text = SECURITY_DOC.read_text()
    section = text.split("## Every route, and who may call it", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \| ([A-Z, ]+) \|", section, flags=re.MULTILINE)
    return {(path, frozenset(m.strip() for m in methods.split(","))) for path, methods in rows}


def test_the_security_doc_lists_exactly_the_mounted_routes(app: FastAPI) -> None:
    mounted = {(route.path, route.methods) for route in mounted_routes(list(app.routes))}
    documented = _documented()
    assert len(documented) >= 20
    assert mounted - documented == set(), "mounted but not in docs/SECURITY.md"
    assert documented - mounted == set(), "in docs/SECURITY.md but not mounted"
