"""Hostile paths and selections: row keys in URLs, ids in deletes and bulk actions."""

import re
from typing import Final
from urllib.parse import quote, quote_plus

from hypothesis import assume, example, given
from hypothesis import strategies as st

from admin_app.models import SocialStatus
from tests.hostile.support import (
    DIGITISH,
    HOSTILE_TEXT,
    HOSTILE_VALUE,
    MAX_QUERY_CHARS,
    Huge,
    World,
    _comparable,
    assert_safe_location,
    assert_unchanged,
    body_too_large,
    check_answer,
    examples,
    field_too_large,
    is_id_text,
    refusal_on,
    visible_text,
)
from tests.snapshots import Diff, diff

# --- Paths and selections -----------------------------------------------------------------------

PATH_KEYS: Final = st.one_of(
    st.integers(0, 6).map(lambda i: f"#{i}"),
    st.integers(0, 6).map(lambda i: f"0#{i}"),
    st.sampled_from(DIGITISH),
    HOSTILE_TEXT,
    st.integers(-(2**70), 2**70).map(str),
)


@examples(150)
@example(identity="event", action="details", key="abc")
@example(identity="user", action="edit", key="9" * 20)
@example(identity="event", action="post-edit", key="x1")
@example(identity="event", action="details", key="#")  # text, not the "#n" marker (nightly find)
@given(
    identity=st.sampled_from(["event", "user"]),
    action=st.sampled_from(["details", "edit", "post-edit"]),
    key=PATH_KEYS,
)
def test_hostile_primary_keys_in_paths(world: World, identity: str, action: str, key: str) -> None:
    ids = world.events if identity == "event" else world.users
    # "#3" / "0#3" stand for an existing id (with a leading zero); generated text can be "#" too.
    if marker := re.fullmatch(r"(0?)#(\d)", key):
        prefix, index = marker.groups()
        key = prefix + str(ids[int(index) % len(ids)])
    number = _as_int(key)
    if action == "post-edit" and number is not None:
        key, number = "x" + key, None  # saving through a real row is the form tests' business
    url = f"/admin/{identity}/{'edit' if action == 'post-edit' else action}/{quote(key, safe='')}"
    before = world.snapshot()
    if action == "post-edit":
        response = world.client.post(url, data={"title": "x", "email": "x@example.org"})
    else:
        response = world.client.get(url, follow_redirects=False)
    changes = diff(before, world.snapshot())
    check_answer(response, (200, 400, 404))
    assert_unchanged(changes, response, "a details page or an edit of a missing row")
    exists = number is not None and number in ids
    if exists and key == str(number):
        assert response.status_code == 200, visible_text(response)
    if not exists:
        assert response.status_code in (400, 404), visible_text(response)


def _as_int(key: str) -> int | None:
    try:
        return int(key)
    except ValueError:
        return None


SELECTION_TOKENS: Final = st.one_of(
    st.just("VICTIM"),
    st.just("0VICTIM"),
    st.just("GHOST"),
    st.sampled_from(DIGITISH),
    HOSTILE_TEXT,
)


@st.composite
def selections(draw: st.DrawFn) -> list[str]:
    return draw(st.lists(SELECTION_TOKENS, max_size=4))


def _pks(tokens: list[str], victim: int) -> str:
    ghost = "999999998"
    parts = [token.replace("VICTIM", str(victim)).replace("GHOST", ghost) for token in tokens]
    return ",".join(parts)


def selection_ids(raw: str) -> set[int] | None:
    """The ids a `pks` value selects, or None when it must be refused (as parse_pks says)."""
    parts = [part for part in raw.split(",") if part]
    if not parts or not all(is_id_text(part) for part in parts):
        return None
    return {int(part) for part in parts}


def _expect_deleted(changes: Diff, table: str, ids: set[int], existing: set[int]) -> None:
    gone = ids & existing
    assert set(changes.removed[table]) == gone, changes.describe()
    assert set(changes.rows_touched()) <= {table}, changes.describe()
    assert changes.counts["audit_log"] == 1


@examples(120)
@example(identity="event", tokens=["²"])
# Nightly finds: an id beyond PostgreSQL's INTEGER; a selection too long for the client to send.
@example(identity="event", tokens=["2147483648"])
@example(identity="event", tokens=["é" * 1000, "é" * 5000, "é" * 5000])
@given(identity=st.sampled_from(["event", "user"]), tokens=selections())
def test_delete_with_hostile_selections(world: World, identity: str, tokens: list[str]) -> None:
    table = "events" if identity == "event" else "users"
    victim = world.new_event() if identity == "event" else world.new_user()
    raw = _pks(tokens, victim)
    # The HTTP client refuses a query over 64 KiB (servers cap request lines lower still).
    assume(len(quote_plus(raw)) < MAX_QUERY_CHARS)
    before = world.snapshot()
    response = world.client.delete(f"/admin/{identity}/delete", params={"pks": raw})
    changes = diff(before, world.snapshot())
    check_answer(response, (200, 400))
    ids = selection_ids(raw)
    if ids is None:
        assert response.status_code == 400, f"{raw!r} is not a selection: {response.text}"
        assert_unchanged(changes, response, "not a selection")
        return
    assert response.status_code == 200, visible_text(response)
    blocked = table == "users" and any(
        event["organizer_id"] in ids for event in before.rows["events"].values()
    )
    if blocked:
        assert refusal_on(world, response.text), response.text
        assert_unchanged(changes, response, "users who organize events")
        return
    assert not refusal_on(world, response.text), response.text
    _expect_deleted(changes, table, ids, set(before.rows[table]))


@examples(120)
@example(kind="set-status", tokens=["VICTIM", "²"], status="private", cascade=None)
@given(
    kind=st.sampled_from(["set-status", "delete"]),
    tokens=selections(),
    status=st.one_of(st.sampled_from(["public", "private"]), HOSTILE_VALUE),
    cascade=st.one_of(st.none(), st.just("yes"), HOSTILE_TEXT),
)
def test_bulk_actions_with_hostile_forms(
    world: World, kind: str, tokens: list[str], status: str | Huge, cascade: str | None
) -> None:
    status = status.text if isinstance(status, Huge) else status
    victim = world.new_event()
    raw = _pks(tokens, victim)
    form = {"pks": raw, "status": status}
    if cascade is not None:
        form["cascade"] = cascade
    before = world.snapshot()
    response = world.send(f"/admin/event/bulk/{kind}", form, "urlencoded")
    changes = diff(before, world.snapshot())
    check_answer(response, (303, 400, 413))
    ids = selection_ids(raw)
    valid_status = status in {s.value for s in SocialStatus}
    too_large = body_too_large(response) or field_too_large(form, "urlencoded")
    if ids is None or (kind == "set-status" and not valid_status) or too_large:
        assert response.status_code in (400, 413), visible_text(response)
        assert_unchanged(changes, response, "refused")
        return
    assert response.status_code == 303, visible_text(response)
    assert_safe_location(response)
    assert not refusal_on(world, response.headers["location"])
    existing = set(before.rows["events"])
    if kind == "delete":
        _expect_deleted(changes, "events", ids, existing)
        return
    assert set(changes.changed["events"]) == ids & existing, changes.describe()
    for pk, (old, new) in changes.changed["events"].items():
        assert _comparable(new["social_status"]) == status
        assert new["version"] == old["version"] + 1, (pk, old, new)
    assert set(changes.rows_touched()) <= {"events"}
    assert changes.counts["audit_log"] == 1
