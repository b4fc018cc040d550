"""`GET /health`: is the database answering?"""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

router = APIRouter()


@router.get("/health")
def health(request: Request) -> JSONResponse:
    engine: Engine = request.app.state.engine
    # Connect, query and close inside the try: a connection killed between the SELECT and the
    # closing ROLLBACK is an outage too (a session dependency would raise it after the answer).
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok"})
