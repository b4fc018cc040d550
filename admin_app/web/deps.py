"""Dependencies for the host's own routes: `SessionDep`, one database session per request.

    @app.get("/api/events/count")
    def events_count(db: SessionDep) -> dict[str, int]:
        return {"events": db.scalar(select(func.count(Event.id))) or 0}

The session comes from the app's one session factory (the panel's too), is rolled back when the
route raises, and is closed after the response either way. Commit explicitly to keep changes.
"""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker


def get_db(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as session:
        try:
            yield session
        except Exception:
            session.rollback()
            raise


SessionDep = Annotated[Session, Depends(get_db)]
