"""Hostile input to finding and keeping: the global search, the `columns` parameter, saved view
names and states, the column chooser. Never a 5xx; a refused save writes nothing."""

from urllib.parse import urlencode

from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import func, select

from admin_app.models import SavedView
from tests.hostile.support import HOSTILE_TEXT, World, check_answer, examples

COLUMNS = st.lists(st.sampled_from(["id", "title", "date_of", "social_status", "organizer"]))


@examples(80)
@example(term="%_\\")
@example(term="\x00")
@example(term="a" * 3000)
@given(term=HOSTILE_TEXT)
def test_hostile_global_search(world: World, term: str) -> None:
    for fragment in ("0", "1"):
        response = world.client.get(f"/admin/search?{urlencode({'q': term, 'fragment': fragment})}")
        check_answer(response, (200,))


@examples(60)
@example(columns=",")
@example(columns="title,title")
@given(columns=st.one_of(HOSTILE_TEXT, COLUMNS.map(",".join)))
def test_hostile_columns_parameter(world: World, columns: str) -> None:
    response = world.client.get(f"/admin/event/list?{urlencode({'columns': columns})}")
    check_answer(response, (200, 400))


@examples(60)
@example(name="", state="search=a", shared="yes")
@example(name="x" * 81, state="", shared="")
@example(name="ok", state="columns=nope", shared="")
@given(name=HOSTILE_TEXT, state=HOSTILE_TEXT, shared=st.sampled_from(["", "yes", "no"]))
def test_hostile_saved_view_forms(world: World, name: str, state: str, shared: str) -> None:
    before = world.db.scalar(select(func.count(SavedView.id))) or 0
    form = {"name": name, "state": state, "shared": shared}
    response = world.send("/admin/event/saved-views", form, "urlencoded")
    check_answer(response, (303, 400, 413))
    world.db.expire_all()
    after = world.db.scalar(select(func.count(SavedView.id))) or 0
    saved = response.status_code == 303 and "/saved-view/" in response.headers["location"]
    assert after == before + (1 if saved else 0)


@examples(60)
@given(
    order=st.lists(HOSTILE_TEXT, max_size=6),
    show=st.lists(HOSTILE_TEXT, max_size=6),
    move=HOSTILE_TEXT,
    back=HOSTILE_TEXT,
)
def test_hostile_column_choices(
    world: World, order: list[str], show: list[str], move: str, back: str
) -> None:
    body = urlencode(
        [
            *(("order", o) for o in order),
            *(("show", s) for s in show),
            ("move", move),
            ("back", back),
        ]
    ).encode()
    response = world.post_raw("/admin/event/columns", body, "application/x-www-form-urlencoded")
    check_answer(response, (303, 413))
    location = response.headers.get("location", "")
    assert response.status_code != 303 or location.startswith("/admin/event/list")
