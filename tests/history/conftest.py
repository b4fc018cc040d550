"""Helpers for the time machine's tests: staff actions through HTTP, and reading the database."""

import html
import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from admin_app.history.images import DELETE, unpack_for_reading
from admin_app.models import ChangeSet, Event, RowImage, User


def count(db: Session, model: type[User] | type[Event]) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model)) or 0


def images(db: Session) -> list[RowImage]:
    """Every row image, as a reader sees them (packs unpacked first), oldest first."""
    db.expire_all()
    unpack_for_reading(db)
    return list(db.scalars(select(RowImage).order_by(RowImage.id)))


def deleted_images(db: Session) -> list[RowImage]:
    """The delete images: what Recently deleted lists, restored or not."""
    return [image for image in images(db) if image.action == DELETE]


def latest_change_set(db: Session) -> ChangeSet:
    db.expire_all()
    found = db.scalars(select(ChangeSet).order_by(ChangeSet.id.desc()).limit(1)).first()
    assert found is not None
    return found


def bulk(client: TestClient, identity: str, kind: str, **data: str) -> None:
    response = client.post(f"/admin/{identity}/bulk/{kind}", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text


def edit_event(client: TestClient, db: Session, event_id: int, **changes: str) -> None:
    db.expire_all()
    event = db.get(Event, event_id)
    assert event is not None
    data = {
        "title": event.title,
        "date_of": event.date_of.isoformat(),
        "social_status": event.social_status.value,
        "organizer": str(event.organizer_id),
        "version": str(event.version),
        **changes,
    }
    response = client.post(f"/admin/event/edit/{event_id}", data=data, follow_redirects=False)
    assert response.status_code == 302, response.text


def undo(client: TestClient, change_set_id: int, **data: str) -> tuple[int, str]:
    response = client.post(
        f"/admin/change-set/undo/{change_set_id}", data=data, follow_redirects=True
    )
    return response.status_code, response.text


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))
