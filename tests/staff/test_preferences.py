"""Staff preferences: whatever the column holds reads as valid preferences; each choice keeps
the others."""

import pytest
from sqlalchemy.orm import Session

from admin_app.staff import preferences
from admin_app.staff.preferences import Preferences
from tests import factories


@pytest.mark.parametrize(
    "stored",
    [None, {}, [], "text", {"columns": "x", "theme": "purple", "single_key_shortcuts": "no"}],
    ids=repr,
)
def test_anything_stored_reads_as_the_defaults(stored: object) -> None:
    read = Preferences.from_stored(stored)
    assert read.theme == "auto" and read.columns == {}
    assert read.single_key_shortcuts is True


def test_each_choice_keeps_the_others(db: Session) -> None:
    staff = factories.make_staff(db)
    preferences.choose_columns(db, staff_id=staff.id, identity="event", columns=["title", "id"])
    preferences.choose_display(db, staff_id=staff.id, theme="dark", single_key_shortcuts=False)
    preferences.choose_columns(db, staff_id=staff.id, identity="user", columns=["email"])
    read = preferences.load(db, staff_id=staff.id)
    assert read.columns == {"event": ["title", "id"], "user": ["email"]}
    assert (read.theme, read.single_key_shortcuts) == ("dark", False)
    preferences.choose_columns(db, staff_id=staff.id, identity="event", columns=None)
    assert preferences.load(db, staff_id=staff.id).columns == {"user": ["email"]}


def test_an_unknown_theme_is_refused(db: Session) -> None:
    staff = factories.make_staff(db)
    with pytest.raises(ValueError, match="unknown theme"):
        preferences.choose_display(db, staff_id=staff.id, theme="neon", single_key_shortcuts=True)
