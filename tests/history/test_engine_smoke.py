"""Scratch: the engine end to end on both databases (to be replaced by HTTP tests)."""

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from admin_app import audit
from admin_app.history import restore, undo
from admin_app.models import ChangeSet, Event, RowImage, SocialStatus, User
from tests import factories


def test_delete_then_undo(client: TestClient, db: Session, admin_staff, session_factory) -> None:
    user = factories.make_user(db)
    events = [factories.make_event(db, organizer=user) for _ in range(3)]
    r = client.post(
        "/admin/user/bulk/delete", data={"pks": str(user.id), "cascade": "yes"}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Event)) == 0
    images = db.scalars(select(RowImage)).all()
    print([(i.target, i.action, i.data) for i in images])
    cs = db.scalars(select(ChangeSet)).all()
    print([(c.id, c.kind, c.row_count) for c in cs])
    db.rollback()
    audit.set_actor(audit.Actor(staff_id=admin_staff.id, email="a@b", client="x"))
    try:
        with session_factory() as s2, s2.begin():
            p = undo.plan(s2, cs[0].id)
            print(p)
            new_id, n = undo.undo(s2, change_set_id=cs[0].id, accept_conflicts=False, reason="oops")
        db.rollback()
        assert n == 4
        assert db.scalar(select(func.count()).select_from(Event)) == 3
        restored = db.get(User, user.id)
        assert restored.email == user.email and restored.created_at == user.created_at
        with session_factory() as s2, s2.begin():
            new2, n2 = undo.undo(s2, change_set_id=new_id, accept_conflicts=False, reason=None)
        db.rollback()
        assert db.scalar(select(func.count()).select_from(Event)) == 0
    finally:
        audit.set_actor(None)
