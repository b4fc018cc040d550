"""Static files by content hash: links carry `?v=<hash>`, answered with a year's `immutable`
cache; a changed file gets a new link."""

import hashlib
import re
from pathlib import Path

from fastapi.testclient import TestClient
from starlette.staticfiles import StaticFiles

from admin_app.admin import STATIC_DIR
from admin_app.web.serving.fingerprints import DIGITS, Fingerprints


def test_every_static_link_carries_its_files_hash(client: TestClient) -> None:
    page = client.get("/admin/event/list").text
    links = re.findall(r'(?:src|href)="[^"]*/admin/statics/([^"?]+)\?v=(\w+)"', page)
    assert len(links) >= 10
    names = {name for name, _ in links}
    assert {"css/panel.css", "js/panel.js", "css/tabler.min.css"} <= names
    for name, version in links:
        if (STATIC_DIR / name).exists():
            expected = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:DIGITS]
            assert version == expected, name
    assert not re.search(r'/admin/statics/[^"?]+"', page), "a static link without its hash"


def test_a_hashed_link_is_kept_a_year_a_plain_one_a_day(client: TestClient) -> None:
    page = client.get("/admin/").text
    hashed = re.search(r'href="([^"]*/admin/statics/css/panel\.css\?v=\w+)"', page)
    assert hashed is not None
    response = client.get(hashed.group(1))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    plain = client.get("/admin/statics/css/panel.css")
    assert plain.headers["cache-control"] == "public, max-age=86400"


def test_a_changed_file_gets_a_new_hash(tmp_path: Path) -> None:
    (tmp_path / "app.js").write_text("one")
    before = Fingerprints(StaticFiles(directory=tmp_path)).of("app.js")
    (tmp_path / "app.js").write_text("two")
    after = Fingerprints(StaticFiles(directory=tmp_path)).of("app.js")
    assert before and after and before != after
    assert Fingerprints(StaticFiles(directory=tmp_path)).of("../etc/passwd") is None
    assert Fingerprints(StaticFiles(directory=tmp_path)).of("missing.js") is None
