"""Hostile input to the spreadsheet editing: list cells, a user's inline events, batch edit.

Whatever is sent, the answer is never a 5xx, a refusal changes nothing, and a save changes only
the row (and field) it names, as the edit form would have saved it.
"""

from datetime import date
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from admin_app.models import EARLIEST_EVENT_DATE, LATEST_EVENT_DATE, SocialStatus
from tests.hostile.support import (
    HOSTILE_TEXT,
    HOSTILE_VALUE,
    Huge,
    Verdict,
    World,
    assert_unchanged,
    check_answer,
    event_verdict,
    examples,
    refused,
    version_verdict,
    visible_text,
)
from tests.snapshots import diff

EDITABLE = ["title", "date_of", "social_status"]
STATUSES = st.sampled_from([status.value for status in SocialStatus])


def _text(value: str | Huge) -> str:
    return value.text if isinstance(value, Huge) else value


@examples(120)
@example(field="title", value="\x00", version="1")
@example(field="date_of", value="2027-13-01", version="1")
@example(field="organizer_id", value="1", version="1")
@given(
    field=st.one_of(st.sampled_from(EDITABLE), HOSTILE_TEXT),
    value=st.one_of(HOSTILE_VALUE, STATUSES, st.dates().map(str)),
    version=st.one_of(st.just("1"), st.just("2"), HOSTILE_TEXT),
)
def test_hostile_cell_saves(world: World, field: str, value: str | Huge, version: str) -> None:
    victim = world.new_event()
    before = world.snapshot()
    form = {"field": field, "value": _text(value), "version": version}
    response = world.send(f"/admin/event/cell/{victim}", form, "urlencoded")
    changes = diff(before, world.snapshot())
    check_answer(response, (200, 400, 404, 409, 413))
    if response.status_code != 200:
        assert_unchanged(changes, response, "refused")
        return
    current = before.rows["events"][victim]
    full_form = {
        "title": current["title"],
        "date_of": str(current["date_of"]),
        "social_status": str(current["social_status"]),
        "organizer": str(current["organizer_id"]),
        "version": version,
        field: _text(value),
    }
    users = {pk: row["email"] for pk, row in before.rows["users"].items()}
    verdict = event_verdict(full_form, users=users, current=current)
    assert verdict.saved is not None, f"saved what the form refuses: {visible_text(response)}"
    assert set(changes.changed["events"]) == {victim}, changes.describe()
    _, new = changes.changed["events"][victim]
    assert str(new[field]) == str(verdict.saved[field])
    assert changes.counts.get("audit_log", 0) == 1


def _inline_form(world: World, user_id: int, event_id: int, row: dict[str, str]) -> dict[str, str]:
    snapshot = world.snapshot()
    user = snapshot.rows["users"][user_id]
    form = {"email": user["email"], "version": str(user["version"]), "save": "Save"}
    form["events-shown"] = str(event_id)
    form.update({f"events-{event_id}-{name}": value for name, value in row.items()})
    return form


@examples(120)
@example(title="\x00", date_of="2027-01-01", status="public", version="1", new_title=None)
@example(title="ok", date_of="2027-1-1", status="private", version="1", new_title="\x00 x")
@given(
    title=st.one_of(HOSTILE_VALUE, st.just("A title")),
    date_of=st.one_of(HOSTILE_TEXT, st.dates().map(str)),
    status=st.one_of(STATUSES, HOSTILE_TEXT),
    version=st.one_of(st.just("1"), HOSTILE_TEXT),
    new_title=st.one_of(st.none(), HOSTILE_TEXT),
)
def test_hostile_inline_event_rows(
    world: World, title: str | Huge, date_of: str, status: str, version: str, new_title: str | None
) -> None:
    organizer = world.users[0]
    victim = world.new_event()
    row = {"title": _text(title), "date_of": date_of, "social_status": status, "version": version}
    form = _inline_form(world, organizer, victim, row)
    if new_title is not None:
        form.update({"events-new0-title": new_title, "events-new0-date_of": "2027-02-03"})
        form["events-new0-social_status"] = "public"
    before = world.snapshot()
    response = world.send(f"/admin/user/edit/{organizer}", form, "urlencoded")
    changes = diff(before, world.snapshot())
    check_answer(response, (302, 400, 413))
    current = before.rows["events"][victim]
    users = {pk: r["email"] for pk, r in before.rows["users"].items()}
    verdicts = [_row_verdict(row, current, users)]
    if new_title is not None:
        new_row = {"title": new_title, "date_of": "2027-02-03", "social_status": "public"}
        verdicts.append(_row_verdict(new_row, None, users))
    if any(v.saved is None for v in verdicts) or response.status_code != 302:
        assert response.status_code in (400, 413), visible_text(response)
        assert_unchanged(changes, response, "refused")
        return
    saved = verdicts[0].saved
    assert saved is not None
    unchanged = all(str(current[k]) == str(v) for k, v in saved.items() if k != "organizer_id")
    if unchanged:
        assert victim not in changes.changed["events"], changes.describe()
    else:
        _, new = changes.changed["events"][victim]
        assert new["title"] == saved["title"] and new["version"] == current["version"] + 1
    created = 1 if new_title else 0
    assert len(changes.added["events"]) == created, changes.describe()


def _row_verdict(row: dict[str, str], current: Any, users: dict[int, str]) -> Verdict:
    """What the inline save must do with one row: its values checked as the event form checks
    them; the version only when the row changes (an unchanged row is left alone)."""
    form = {**row, "organizer": str(next(iter(users)))}
    verdict = event_verdict(form, users=users)
    if current is None or verdict.saved is None:
        return verdict
    if all(str(current[k]) == str(v) for k, v in verdict.saved.items() if k != "organizer_id"):
        return verdict
    if reason := version_verdict(row, current["version"]):
        return refused(reason)
    return verdict


# Calendar edges included: a shift or a set date past either end must be refused whole.
BATCH_VALUES = ["set", "shift", "public", "7", "-7", "-36500", "36500", "0001-01-02", "9999-12-31"]


@examples(80)
@example(fields={"new_status": "private\x00"})
@example(fields={"date_change": "shift", "shift_days": "-36500"})
@example(fields={"date_change": "set", "new_date": "0001-01-02"})
@example(fields={"date_change": "shift", "shift_days": "+1e3"})
@given(
    fields=st.dictionaries(
        st.sampled_from(["new_status", "date_change", "new_date", "shift_days", "new_organizer"]),
        st.one_of(HOSTILE_TEXT, st.sampled_from(BATCH_VALUES)),
        max_size=5,
    )
)
def test_hostile_batch_edits(world: World, fields: dict[str, str]) -> None:
    victim = world.new_event()
    before = world.snapshot()
    response = world.send(
        "/admin/event/bulk/batch-edit", {"pks": str(victim), **fields}, "urlencoded"
    )
    changes = diff(before, world.snapshot())
    check_answer(response, (303, 400, 413))
    if response.status_code != 303:
        assert_unchanged(changes, response, "refused")
        return
    assert set(changes.changed["events"]) <= {victim}, changes.describe()
    assert changes.counts.get("audit_log", 0) == 1
    for _, new in changes.changed["events"].values():
        assert EARLIEST_EVENT_DATE <= date.fromisoformat(str(new["date_of"])) <= LATEST_EVENT_DATE
