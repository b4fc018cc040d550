"""Hostile forms: create and edit of users and events, uploads, raw bodies (invalid UTF-8, broken
encodings, wrong content types). See tests/hostile/support.py for what each example checks."""

import gc
import re
import sys
from typing import Final
from urllib.parse import quote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from admin_app.emails import clean_email
from admin_app.models import TITLE_MAX_LENGTH, SocialStatus
from tests.hostile.support import (
    ENCODINGS,
    Encoding,
    FileValue,
    FormSpec,
    Sent,
    UserRef,
    VersionRef,
    World,
    _comparable,
    assert_unchanged,
    check_answer,
    check_save,
    event_forms,
    event_verdict,
    examples,
    on_the_wire,
    refusal_on,
    user_forms,
    user_verdict,
)
from tests.snapshots import Row, Snapshot, diff

# --- Forms: create and edit ---------------------------------------------------------------------

# Inputs that once broke a form are kept as fixed examples (@example), run on every run.
EVENT_FORM: Final[FormSpec] = {
    "title": "T",
    "date_of": "2026-01-01",
    "social_status": "public",
    "organizer": UserRef(0),
    "save": "Save",
}


# Every form the panel reads, with a file where text belongs (no panel form has a file field).
UPLOADS: Final[dict[str, tuple[str, dict[str, Sent]]]] = {
    "event create": (
        "/admin/event/create",
        {
            "title": "T",
            "date_of": "2026-01-01",
            "social_status": "public",
            "organizer": FileValue(b"1"),
        },
    ),
    "login": ("/admin/login", {"username": "x@example.org", "password": FileValue(b"pw")}),
    "bulk delete": ("/admin/event/bulk/delete", {"pks": "1", "cascade": FileValue(b"yes")}),
    "password change": ("/admin/account/password", {"current_password": FileValue(b"pw")}),
    "two-factor": ("/admin/account/mfa", {"action": FileValue(b"enable"), "code": "1"}),
}


@pytest.mark.parametrize("form_name", UPLOADS)
def test_uploaded_files_are_closed_after_the_request(world: World, form_name: str) -> None:
    """A file posted where text belongs counts as empty, and its temporary file is closed (a
    spooled file left to the garbage collector warns, which fails any test in this suite)."""
    path, form = UPLOADS[form_name]
    leaked: list[str] = []
    previous = sys.unraisablehook

    def hook(unraisable: "sys.UnraisableHookArgs") -> None:
        leaked.append(f"{unraisable.exc_value!r} in {unraisable.object!r}")

    sys.unraisablehook = hook
    try:
        response = world.send(path, form, "multipart")
        check_answer(response, (200, 303, 400))
        del response
        gc.collect()
    finally:
        sys.unraisablehook = previous
    assert not leaked, leaked


@examples(150)
@example(form={**EVENT_FORM, "organizer": "²"}, encoding="urlencoded")
@example(form={**EVENT_FORM, "title": FileValue(b"T")}, encoding="multipart")
@example(form={**EVENT_FORM, "date_of": FileValue(b"")}, encoding="multipart")
@given(form=event_forms(), encoding=ENCODINGS)
def test_creating_events_from_hostile_forms(
    world: World, form: FormSpec, encoding: Encoding
) -> None:
    sent = world.resolve(form)
    before = world.snapshot()
    response = world.send("/admin/event/create", sent, encoding)
    changes = diff(before, world.snapshot())
    verdict = event_verdict(sent, users=_emails_by_id(before))
    verdict = on_the_wire(verdict, sent, encoding)
    check_save(response, changes, verdict, table="events", current=None)


@examples(150)
@example(form={**EVENT_FORM, "version": "²"}, target=0, encoding="urlencoded")
@example(
    form={**EVENT_FORM, "version": VersionRef(), "date_of": FileValue(b"")},
    target=0,
    encoding="multipart",
)
@given(form=event_forms(with_version=True), target=st.integers(0, 3), encoding=ENCODINGS)
def test_editing_events_from_hostile_forms(
    world: World, form: FormSpec, target: int, encoding: Encoding
) -> None:
    pk = world.events[target]
    before = world.snapshot()
    current = before.rows["events"][pk]
    sent = world.resolve(form, version=current["version"])
    response = world.send(f"/admin/event/edit/{pk}", sent, encoding)
    changes = diff(before, world.snapshot())
    verdict = event_verdict(sent, users=_emails_by_id(before), current=current)
    verdict = on_the_wire(verdict, sent, encoding)
    check_save(response, changes, verdict, table="events", current=current)


def _emails(before: Snapshot) -> dict[str, int]:
    return {row["email"]: pk for pk, row in before.rows["users"].items()}


@examples(120)
@example(form={"email": FileValue(b"a@example.org"), "save": "Save"}, encoding="multipart")
@given(form=user_forms(), encoding=ENCODINGS)
def test_creating_users_from_hostile_forms(
    world: World, form: FormSpec, encoding: Encoding
) -> None:
    sent = world.resolve(form)
    before = world.snapshot()
    response = world.send("/admin/user/create", sent, encoding)
    changes = diff(before, world.snapshot())
    verdict = on_the_wire(user_verdict(sent, emails=_emails(before)), sent, encoding)
    check_save(response, changes, verdict, table="users", current=None)


@examples(120)
@example(form={"email": "new@example.org", "version": "²"}, target=4, encoding="urlencoded")
@given(form=user_forms(with_version=True), target=st.integers(0, 4), encoding=ENCODINGS)
def test_editing_users_from_hostile_forms(
    world: World, form: FormSpec, target: int, encoding: Encoding
) -> None:
    pk = world.users[target]
    before = world.snapshot()
    current = before.rows["users"][pk]
    sent = world.resolve(form, version=current["version"])
    response = world.send(f"/admin/user/edit/{pk}", sent, encoding)
    changes = diff(before, world.snapshot())
    verdict = user_verdict(sent, emails=_emails(before), current=current)
    verdict = on_the_wire(verdict, sent, encoding)
    check_save(response, changes, verdict, table="users", current=current)


@pytest.mark.parametrize("identity", ["event", "user"])
def test_a_form_for_a_deleted_row_never_saves_onto_a_new_row(world: World, identity: str) -> None:
    """A form opened before its row was deleted is late input: it must not land on whatever row
    is created next (SQLite hands out a deleted newest row's id again unless told not to)."""
    victim = world.new_event() if identity == "event" else world.new_user()
    page = world.client.get(f"/admin/{identity}/edit/{victim}")
    match = re.search(
        r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', page.text
    )
    assert match, "the edit form carries the row version"
    late_form: dict[str, Sent] = (
        {**world.resolve(EVENT_FORM), "title": "late edit"}
        if identity == "event"
        else {"email": "late-edit@example.org", "save": "Save"}
    )
    late_form["version"] = match.group(1) or match.group(2)
    deleted = world.client.delete(f"/admin/{identity}/delete", params={"pks": str(victim)})
    assert deleted.status_code == 200 and not refusal_on(world, deleted.text), deleted.text
    created = world.send(
        f"/admin/{identity}/create",
        {**world.resolve(EVENT_FORM), "title": "new row"}
        if identity == "event"
        else {"email": "new-row@example.org", "save": "Save"},
        "urlencoded",
    )
    check_answer(created, (302,))
    before = world.snapshot()
    response = world.send(f"/admin/{identity}/edit/{victim}", late_form, "urlencoded")
    changes = diff(before, world.snapshot())
    check_answer(response, (400, 404))
    assert_unchanged(changes, response, "a form for a deleted row")


# --- Raw bodies: invalid UTF-8, broken encodings, wrong content types ---------------------------

FORM_KEYS: Final = [b"title", b"date_of", b"social_status", b"organizer", b"email", b"version"]
RAW_BYTES: Final = st.one_of(
    st.binary(max_size=40),
    st.sampled_from(
        [b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\x00", b"%ff%fe%00", b"%", b"%z"]
    ),
    st.text(max_size=20).map(lambda s: s.encode()),
    st.text(max_size=20).map(lambda s: quote(s).encode()),
)
RAW_FIELD: Final = st.tuples(st.one_of(st.sampled_from(FORM_KEYS), RAW_BYTES), RAW_BYTES)
RAW_BODIES: Final = st.one_of(
    st.binary(max_size=400),
    st.lists(RAW_FIELD, max_size=8).map(lambda pairs: b"&".join(k + b"=" + v for k, v in pairs)),
    st.lists(RAW_FIELD, max_size=5).map(
        lambda pairs: (
            b"".join(
                b'--zz\r\nContent-Disposition: form-data; name="' + k + b'"\r\n\r\n' + v + b"\r\n"
                for k, v in pairs
            )
            + b"--zz--\r\n"
        )
    ),
)
CONTENT_TYPES: Final = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=latin-1",
        "multipart/form-data; boundary=zz",
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "application/json",
        "text/plain",
        None,
    ]
)
RAW_TARGETS: Final = st.sampled_from(
    ["event/create", "event/edit", "user/create", "user/edit", "login"]
)


def _valid_stored_event(row: Row, users: set[int]) -> bool:
    title = row["title"]
    return (
        bool(title)
        and "\x00" not in title
        and title == title.strip()
        and len(title) <= TITLE_MAX_LENGTH
        and _comparable(row["social_status"]) in {s.value for s in SocialStatus}
        and row["organizer_id"] in users
    )


@examples(200)
@given(target=RAW_TARGETS, body=RAW_BODIES, content_type=CONTENT_TYPES)
def test_raw_bodies_never_break_a_form(
    world: World, target: str, body: bytes, content_type: str | None
) -> None:
    urls = {
        "event/edit": f"/admin/event/edit/{world.events[0]}",
        "user/edit": f"/admin/user/edit/{world.users[3]}",
        "login": "/admin/login",
    }
    before = world.snapshot()
    response = world.post_raw(urls.get(target, f"/admin/{target}"), body, content_type)
    changes = diff(before, world.snapshot())
    check_answer(response, (200, 302, 400, 403, 413, 429))
    if response.status_code not in (200, 302):
        if target == "login" and response.status_code == 400:
            # A failed login is counted for throttling, and nothing else.
            assert not changes.rows_touched(), changes.describe()
            assert changes.counts["login_attempts"] in (0, 1)
            assert changes.counts["audit_log"] == changes.counts["recovery_codes"] == 0
            return
        assert_unchanged(changes, response, "refused")
        return
    assert target != "login", "a random body logged in"
    table = "events" if target.startswith("event") else "users"
    touched = changes.rows_touched()
    if target.endswith("create"):
        assert touched == {table: 1} and len(changes.added[table]) == 1, changes.describe()
        (row,) = changes.added[table].values()
    else:
        assert set(touched) <= {table}, changes.describe()
        if not touched:
            return
        ((_, row),) = changes.changed[table].values()
    if table == "events":
        assert _valid_stored_event(row, set(before.rows["users"])), row
    else:
        assert clean_email(row["email"]) == row["email"], row


def _emails_by_id(before: Snapshot) -> dict[int, str]:
    return {pk: row["email"] for pk, row in before.rows["users"].items()}
