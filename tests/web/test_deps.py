"""SessionDep: a route of the host gets one session per request, rolled back on error, closed."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from admin_app.models import User
from admin_app.web.deps import SessionDep


@pytest.fixture
def api(app: FastAPI) -> Iterator[TestClient]:
    """The app with the JSON routes an engineer might add beside the panel (README)."""

    @app.get("/api/users/count")
    def users_count(db: SessionDep) -> dict[str, int]:
        return {"users": db.scalar(select(func.count(User.id))) or 0}

    @app.post("/api/users")
    def add_user(db: SessionDep, email: str, fail: bool = False) -> dict[str, int]:
        user = User(email=email)
        db.add(user)
        db.flush()
        if fail:
            raise HTTPException(status_code=409, detail="refused after the insert")
        db.commit()
        return {"id": user.id}

    with TestClient(app, base_url="http://testserver") as client:
        yield client


def test_a_route_reads_through_the_apps_session_factory(api: TestClient, db: Session) -> None:
    db.add_all([User(email="a@example.org"), User(email="b@example.org")])
    db.commit()
    assert api.get("/api/users/count").json() == {"users": 2}


def test_a_committed_change_is_kept(api: TestClient, db: Session) -> None:
    assert api.post("/api/users", params={"email": "kept@example.org"}).status_code == 200
    assert db.scalars(select(User.email)).all() == ["kept@example.org"]


def test_a_route_that_raises_leaves_nothing_behind(api: TestClient, db: Session) -> None:
    response = api.post("/api/users", params={"email": "gone@example.org", "fail": True})
    assert response.status_code == 409
    assert db.scalars(select(User.email)).all() == []


def test_every_session_is_returned_to_the_pool(api: TestClient, app: FastAPI) -> None:
    for _ in range(5):
        api.get("/api/users/count")
        api.post("/api/users", params={"email": "x@example.org", "fail": True})
    assert app.state.engine.pool.checkedout() == 0
