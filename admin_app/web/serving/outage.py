"""When the database is down or busy: a clean 503 page, never a traceback (and a 400 for
values the database cannot hold)."""

from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

# Seconds a client is told to wait before retrying (pool_pre_ping reconnects on the next try).
RETRY_AFTER = 5
UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeoutError)

_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title></head><body style="font-family: sans-serif; margin: 3rem;">
<h1>{title}</h1><p>{message}</p></body></html>"""


def unavailable_page() -> HTMLResponse:
    """The 503 page: nothing was changed, try again in a few seconds."""
    page = _PAGE.format(
        title="Database unavailable (503)",
        message="The database is not answering right now, so nothing was changed. "
        "Please try again in a few seconds.",
    )
    return HTMLResponse(page, status_code=503, headers={"Retry-After": str(RETRY_AFTER)})


async def database_unavailable(_request: Request, _exc: Exception) -> Response:
    return unavailable_page()


async def value_out_of_range(_request: Request, _exc: Exception) -> Response:
    page = _PAGE.format(
        title="Invalid value (400)",
        message="A value in the request is too large or malformed for the database.",
    )
    return HTMLResponse(page, status_code=400)


def note_unavailable(request: Request) -> None:
    """Mark the request as cut by an outage where a library turns every error into its own 400
    page (SQLAdmin's create and edit); `answer` then replaces that page with the 503."""
    request.state.database_unavailable = True


async def answer(request: Request, response: Response) -> Response:
    if getattr(request.state, "database_unavailable", False):
        return await database_unavailable(request, RuntimeError("noted outage"))
    return response


def install(app: Starlette) -> None:
    for error in UNAVAILABLE:
        app.add_exception_handler(error, database_unavailable)
    app.add_exception_handler(DataError, value_out_of_range)
    # SQLite's driver raises a bare OverflowError for integers beyond 64 bits (e.g. in a URL).
    app.add_exception_handler(OverflowError, value_out_of_range)
