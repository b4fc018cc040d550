"""The panel's model view (admin/views/base.py): a save the database refuses is a message on the
form, never a 500."""

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from admin_app.models import User
from tests import factories


def _user_count(db: Session) -> int:
    return db.scalar(select(func.count(User.id))) or 0


def test_duplicate_email_is_a_field_error_not_a_500(client: TestClient, db: Session) -> None:
    factories.make_user(db, email="taken@example.org")
    response = client.post(
        "/admin/user/create", data={"email": " TAKEN@example.org", "save": "Save"}
    )
    assert response.status_code == 400
    feedback = re.search(r'class="invalid-feedback">([^<]*)<', response.text)
    assert feedback and feedback.group(1) == "A user with this email already exists."
    assert 'value="taken@example.org"' in response.text
    assert "IntegrityError" not in response.text and "UNIQUE" not in response.text
    assert _user_count(db) == 1


def test_editing_a_user_deleted_meanwhile_says_so(client: TestClient, db: Session) -> None:
    user = factories.make_user(db)
    form = client.get(f"/admin/user/edit/{user.id}")
    assert form.status_code == 200
    db.delete(user)
    db.commit()
    response = client.post(
        f"/admin/user/edit/{user.id}",
        data={"email": "x@example.org", "version": "1", "save": "Save"},
    )
    assert response.status_code in (400, 404)
    assert _user_count(db) == 0
