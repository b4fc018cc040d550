"""How values and links are written on the panel's pages (admin/core/formatters.py)."""

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from starlette.datastructures import URL

from admin_app.admin.core.formatters import (
    QueryPaths,
    badge,
    path_only,
    unbroken_date,
    wrap_points,
)
from admin_app.models import SocialStatus


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("http://testserver/admin/event/details/7", "/admin/event/details/7"),
        (
            "https://panel.example:8443/admin/event/list?page=2&q=a%20b",
            "/admin/event/list?page=2&q=a%20b",
        ),
        ("http://testserver?next=/admin/", "/?next=/admin/"),
        ("http://testserver", "/"),
        ("http://testserver/admin/#top", "/admin/"),
        ("/admin/user/edit/3?sort=asc", "/admin/user/edit/3?sort=asc"),
    ],
)
def test_path_only_keeps_the_path_and_query_of_a_link(url: str, path: str) -> None:
    assert path_only(url) == path


def test_badge_and_date_escape_what_they_wrap() -> None:
    assert str(badge(SocialStatus.PRIVATE)) == (
        '<span class="badge bg-azure-lt" data-status="private">Private</span>'
    )
    row = SimpleNamespace(date_of=date(2026, 12, 3), title="<b>x</b>")
    assert str(unbroken_date(row, "date_of")) == "<time>2026-12-03</time>"
    assert str(unbroken_date(row, "title")) == "<time>&lt;b&gt;x&lt;/b&gt;</time>"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("ann.lee@mail.example.org", "ann<wbr>.lee@<wbr>mail<wbr>.example<wbr>.org"),
        ("a@b", "a@<wbr>b"),
        ("<x>@evil.org", "&lt;x&gt;@<wbr>evil<wbr>.org"),
    ],
)
def test_emails_wrap_only_after_the_at_and_before_dots(value: str, shown: str) -> None:
    assert str(wrap_points(value)) == shown


@pytest.mark.parametrize("value", ["Jazz night", "two words @ once", 42, None])
def test_anything_but_an_email_is_left_as_it_was(value: object) -> None:
    assert wrap_points(value) is value


def test_a_badge_is_found_by_its_stored_value_and_refuses_an_unknown_one() -> None:
    assert badge("public") == badge(SocialStatus.PUBLIC)
    with pytest.raises(ValueError):
        badge("secret")


@pytest.mark.parametrize(
    "url",
    [
        "http://testserver/admin/event/list",
        "http://testserver/admin/event/list?search=a%20b+c&empty=&sortBy=title&sort=asc&page=3",
        "http://testserver/admin/event/list?social_status=public&social_status=private&page=2",
        "http://testserver/admin/e%20v/list?q=%2F%3F%26&%C3%A9t%C3%A9=%E2%82%AC",
    ],
)
@pytest.mark.parametrize(
    "changes",
    [
        {"sort": "desc"},
        {"sortBy": "date_of", "sort": "asc"},
        {"page": 2},
        {"pageSize": 50, "page": 1},
        {"social_status": "public"},
        {"été": "a b&c"},
    ],
)
def test_query_paths_are_starlettes_links_as_paths(url: str, changes: dict[str, Any]) -> None:
    expected = path_only(URL(url).include_query_params(**changes))
    assert QueryPaths(URL(url)).with_params(**changes) == expected
