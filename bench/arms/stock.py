"""The stock arm: SQLAdmin as a user gets it by declaring columns, filters, searches and sorts.

No custom queries, templates, delete or export code, no `form_ajax_refs` (so the event form's
organizer field is a plain select of every user), default forms (every column and relation).
It shares the project's engine factory (SQLite pragmas, PostgreSQL pre-ping), so differences
come from the admin layer, not from the connection settings.
"""
# ruff: noqa: RUF012 (SQLAdmin views are declared with class-level lists, as its docs do)

from fastapi import FastAPI
from sqladmin import Admin, ModelView
from sqladmin.authentication import AuthenticationBackend
from sqladmin.filters import StaticValuesFilter
from starlette.requests import Request
from starlette.types import ASGIApp

from admin_app.db import engine_at
from admin_app.models import Event, SocialStatus, User
from bench.seed import BENCH_STAFF_EMAIL, BENCH_STAFF_PASSWORD

SESSION_KEY = "bench-only-stock-session-key-0123456789abcdef"
_SESSION_USER = "user"


class StockAuth(AuthenticationBackend):
    """The minimal backend from SQLAdmin's docs: one known account, a session flag."""

    async def login(self, request: Request) -> bool:
        form = await request.form()
        ok = form.get("username") == BENCH_STAFF_EMAIL and form.get("password") == (
            BENCH_STAFF_PASSWORD
        )
        if ok:
            request.session[_SESSION_USER] = BENCH_STAFF_EMAIL
        return ok

    async def logout(self, request: Request) -> bool:
        request.session.clear()
        return True

    async def authenticate(self, request: Request) -> bool:
        return _SESSION_USER in request.session


class StockEventAdmin(ModelView, model=Event):
    column_list = [Event.id, Event.title, Event.date_of, Event.social_status, Event.organizer]
    column_searchable_list = [Event.title]
    column_sortable_list = [Event.id, Event.title, Event.date_of, Event.social_status]
    column_default_sort = [(Event.date_of, True)]
    column_filters = [
        StaticValuesFilter(
            Event.social_status,
            values=[(status.value, status.value.capitalize()) for status in SocialStatus],
            parameter_name="social_status",
        )
    ]


class StockUserAdmin(ModelView, model=User):
    column_list = [User.id, User.email, User.created_at]
    column_details_list = [User.id, User.email, User.events, User.created_at, User.updated_at]
    column_searchable_list = [User.email]
    column_sortable_list = [User.id, User.email, User.created_at]
    # The default form takes every attribute; the model's deferred `event_count` crashes it
    # (DetachedInstanceError), so it is the one thing left out. The `events` relation stays:
    # a multi-select of every event, as SQLAdmin renders it by default.
    form_excluded_columns = [User.event_count]


def build_app(database_url: str) -> ASGIApp:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    admin = Admin(
        app,
        engine=engine_at(database_url),
        title="Events admin (stock SQLAdmin)",
        authentication_backend=StockAuth(secret_key=SESSION_KEY),
    )
    admin.add_view(StockUserAdmin)
    admin.add_view(StockEventAdmin)
    return app
