"""Which live row each staged row matches, and what Confirm will do with it, decided a batch at
a time: one lookup per batch for each kind of reference (organizers by email, organizers by id,
the rows the keys name, emails other users have), then each row's action. A staged row is then
written once, decided: rewriting a million staged rows set-based cost PostgreSQL seconds per
pass. The one rule left for the whole file, a key on two rows, is checking.py's."""

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ARRAY, String, any_, cast, func, literal, select
from sqlalchemy.orm import Session

from admin_app.admin.actions.imports.staged import (
    ACTION,
    CREATE,
    DATE_OF,
    EMAIL,
    ERROR,
    KEY_ID,
    NEW,
    ORGANIZER_ID,
    ORGANIZER_REF,
    ROW_NO,
    SKIP,
    SOCIAL_STATUS,
    TARGET_ID,
    TARGET_VERSION,
    TARGETS,
    TITLE,
    UNCHANGED,
    UPDATE,
    Batch,
    Plan,
    problem,
)
from admin_app.models import Event, User

# Organizers remembered between batches (most files name a few thousand, over and over).
REMEMBERED = 200_000
ORGANIZER_EMAIL_UNKNOWN = "No user has this email; the organizer must be a user already."
ORGANIZER_ID_UNKNOWN = "There is no user with this id."
EMAIL_TAKEN = "Another user has this email."
# Where each field is in a live row as `_live` selects it, and in a staged row.
_LIVE_PLACES = {
    "user": {"email": (2, EMAIL)},
    "event": {
        "title": (2, TITLE),
        "date_of": (3, DATE_OF),
        "social_status": (4, SOCIAL_STATUS),
        "organizer": (5, ORGANIZER_ID),
    },
}


class Matcher:
    """Decides the batches of one dry run, remembering the organizers it has looked up."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._by_email: dict[str, int | None] = {}
        self._ids: dict[int, bool] = {}
        self._organizers = plan.identity == "event" and plan.mapped("organizer")
        self._by_id = plan.mapped("id")
        self._taken_check = plan.identity == "user" and self._by_id and plan.mapped("email")
        # The mapped fields, as (place in a live row, slot in a staged row) pairs to compare.
        places = _LIVE_PLACES[plan.identity]
        self._compared = [places[name] for name in plan.mapping if name in places]

    def decide(self, session: Session, batch: Batch) -> None:
        rows = [row for row in batch.rows if row[ACTION] == NEW]
        if not rows:
            return
        if self._organizers:
            self._look_up_organizers(session, rows)
        found = self._live(session, rows)
        taken = self._emails_taken(session, rows) if self._taken_check else {}
        for row in rows:
            self._decide_row(row, found, taken, batch)

    # --- Lookups: one query per batch and kind -----------------------------------------------

    def _look_up_organizers(self, session: Session, rows: list[list[Any]]) -> None:
        if len(self._by_email) + len(self._ids) > REMEMBERED:
            self._by_email.clear()
            self._ids.clear()
        emails = {row[ORGANIZER_REF] for row in rows if row[ORGANIZER_REF] is not None}
        emails -= self._by_email.keys()
        if emails:
            self._by_email.update(dict.fromkeys(emails))
            for user_id, email in _in(session, select(User.id, User.email), User.email, emails):
                self._by_email[email] = user_id
        ids = {row[ORGANIZER_ID] for row in rows if row[ORGANIZER_REF] is None}
        ids -= {None, *self._ids.keys()}
        if ids:
            self._ids.update(dict.fromkeys(ids, False))
            for (user_id,) in _in(session, select(User.id), User.id, ids):
                self._ids[user_id] = True

    def _live(self, session: Session, rows: list[list[Any]]) -> dict[Any, Any]:
        """The live rows the keys name: by id, or (users without an id column) by email."""
        model = TARGETS[self.plan.identity]
        if self._by_id:
            slot, column = KEY_ID, model.id
        elif self.plan.identity == "user":
            slot, column = EMAIL, model.email
        else:
            return {}  # events without ids are all new
        keys = {row[slot] for row in rows} - {None}
        if not keys:
            return {}
        if self.plan.identity == "user":
            columns: Any = select(User.id, User.version, User.email)
        else:
            # The status and date as their text, as staged rows hold them: SQLAlchemy's Enum
            # conversion of each row was a third of the lookup's time.
            columns = select(
                Event.id,
                Event.version,
                Event.title,
                cast(Event.date_of, String).label("date_of"),  # as staged: ISO text
                cast(Event.social_status, String).label("social_status"),
                Event.organizer_id,
            )
        key_of = 0 if self._by_id else 2
        return {live[key_of]: live for live in _in(session, columns, column, keys)}

    def _emails_taken(self, session: Session, rows: list[list[Any]]) -> dict[str, int]:
        emails = {row[EMAIL] for row in rows} - {None}
        return {
            email: user_id
            for user_id, email in _in(session, select(User.id, User.email), User.email, emails)
        }

    # --- One row -----------------------------------------------------------------------------

    def _decide_row(
        self, row: list[Any], found: dict[Any, Any], taken: dict[str, int], batch: Batch
    ) -> None:
        plan = self.plan
        problems: list[tuple[str, object, str]] = []
        if self._organizers:
            if row[ORGANIZER_REF] is not None:
                row[ORGANIZER_ID] = self._by_email.get(row[ORGANIZER_REF])
                if row[ORGANIZER_ID] is None:
                    problems.append(("organizer", row[ORGANIZER_REF], ORGANIZER_EMAIL_UNKNOWN))
            elif not self._ids.get(row[ORGANIZER_ID], True):
                problems.append(("organizer", row[ORGANIZER_ID], ORGANIZER_ID_UNKNOWN))
        live = None
        if self._by_id and row[KEY_ID] is not None:
            live = found.get(row[KEY_ID])
            if live is None:
                unknown = (
                    f"There is no {plan.identity} with this id (leave the id empty to create one)."
                )
                problems.append(("id", row[KEY_ID], unknown))
        elif not self._by_id and plan.identity == "user":
            live = found.get(row[EMAIL])
        if self._taken_check and taken.get(row[EMAIL], row[KEY_ID]) != row[KEY_ID]:
            problems.append(("email", row[EMAIL], EMAIL_TAKEN))
        if problems:
            row[ACTION] = ERROR
            for name, value, message in problems:
                batch.problems.append(
                    problem(plan.import_id, row[ROW_NO], plan.column_of(name), value, message)
                )
            return
        if live is None:
            row[ACTION] = SKIP if plan.mode == "update_only" else CREATE
            return
        row[TARGET_ID], row[TARGET_VERSION] = live[0], live[1]
        if plan.mode == "create_only":
            row[ACTION] = SKIP
        elif plan.skip_unchanged and not self._differs(row, live):
            row[ACTION] = UNCHANGED
        else:
            row[ACTION] = UPDATE

    def _differs(self, row: list[Any], live: Any) -> bool:
        return any(live[at] != row[slot] for at, slot in self._compared)


def _in(session: Session, statement: Any, column: Any, values: Iterable[Any]) -> list[Any]:
    """One query for the batch's values, with one parameter: `= ANY(array)` on PostgreSQL,
    `IN (SELECT value FROM json_each(...))` on SQLite (an IN of 10,000 parameters spent more
    time compiling its parameter names than the database spent on the query)."""
    listed = list(values)
    if session.get_bind().dialect.name == "postgresql":
        array = literal(listed, ARRAY(column.type))
        return list(session.execute(statement.where(column == any_(array))))
    each = func.json_each(literal(json.dumps(listed))).table_valued("value")
    return list(session.execute(statement.where(column.in_(select(each.c.value)))))
