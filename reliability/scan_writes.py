"""The scan's writes: what each role may change, done for real, and what each role may then read.

The route sweep (scan.py) proves that refusals change nothing. This half proves the other side,
as each role and as a second staff member of the same role, on the real server:

- **Writes that must work** on the panel's own routes (cells, saved views, columns, batch edit,
  revert, restore, undo) work for the roles that may make them, change exactly their row, and
  are refused, changing nothing, for the roles that may not.
- **Calendar edges**: no event is ever stored with a date outside 1900-9999 (forms, batch set,
  batch shift), and every page that shows an edge-dated event answers below 400.
- **Reads**: a non-admin never sees staff accounts, the addresses staff worked from, or another
  staff member's private saved view; nobody sees another's private view, admins included.
- **The undo rule**: another staff member's change set of over 1,000 rows is undone or restored
  by an admin (or its author) only, by every path.
- **Payloads**: markup typed into titles and view names never comes back unescaped.
- **Invariants** after all of it: the dashboard's tallies agree with the rows, and SQLite's
  search index with its table.
"""

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import httpx
from sqlalchemy import Engine, String, cast, func, insert, select, text
from sqlalchemy.exc import DBAPIError

from admin_app.models import ChangeSet, Event, EventTally, SavedView, Staff, User
from admin_app.search_index import SEARCH_TABLES
from tests.snapshots import diff, snapshot

PAYLOAD = "<script>alert('scan')</script><img src=x onerror=alert(1)>"
HOSTILE_TERMS = ("%", "_", "\\", '"', "*", "NEAR(a b)", "' OR 1=1 --", PAYLOAD, "ÿÿÿ", "a\"b'c")
# A cell holding only an address: what the change set and audit pages show it in.
ADDRESS_CELL = ">127.0.0.1<"
# Rows bulk-deleted by an admin: past the size only an admin or the author may bring back.
LARGE = 1_001
EDGE_DATES = ("0001-01-02", "1900-01-01", "9999-12-30")


@dataclass
class Actor:
    role: str
    email: str
    client: httpx.Client

    @property
    def name(self) -> str:
        return f"{self.role} {self.email}"

    @property
    def may_edit(self) -> bool:
        return self.role in ("admin", "editor")


class WriteScan:
    """One pass of the write scenarios on one server and database (see the module docstring)."""

    def __init__(
        self,
        *,
        engine: Engine,
        actors: list[Actor],
        add: Callable[[str], None],
        count: Callable[[int], None],
    ) -> None:
        self.engine = engine
        self.actors = actors
        self.add = add  # a finding
        self.count = count  # an answer's status, for the scan's totals
        self.tag = uuid.uuid4().hex[:8]
        # The last user: the scan plants file names in the first one's email.
        self.organizer = self._scalar(select(func.max(User.id)))

    # --- Plumbing ---------------------------------------------------------------------------

    def _scalar(self, statement: object) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(statement) or 0)  # type: ignore[call-overload]

    def send(self, actor: Actor, method: str, path: str, **kwargs: object) -> httpx.Response:
        response = actor.client.request(method, path, **kwargs)  # type: ignore[arg-type]
        self.count(response.status_code)
        if response.status_code >= 500:
            self.add(f"{actor.name} {method} {path} -> {response.status_code}: server error")
        return response

    def of_role(self, *roles: str) -> Iterator[Actor]:
        return (actor for actor in self.actors if actor.role in roles)

    def run(self) -> None:
        for scenario in (
            self.calendar_edges,
            self.private_reads,
            self.undo_rule,
            self.allowed_writes,
            self.payloads,
            self.invariants,
        ):
            scenario()

    # --- Calendar edges ---------------------------------------------------------------------

    def _create_event(self, actor: Actor, title: str, day: str) -> int | None:
        form = {
            "title": title,
            "date_of": day,
            "social_status": "public",
            "organizer": str(self.organizer),
        }
        self.send(actor, "POST", "/admin/event/create", data=form)
        with self.engine.connect() as conn:
            found = conn.scalar(select(Event.id).where(Event.title == title))
        return int(found) if found is not None else None

    def _batch(self, actor: Actor, pks: list[int], **fields: str) -> httpx.Response:
        data = {"pks": ",".join(map(str, pks)), **fields}
        return self.send(actor, "POST", "/admin/event/bulk/batch-edit", data=data)

    def calendar_edges(self) -> None:
        editor = next(self.of_role("editor"))
        edges = {}
        for day in EDGE_DATES:
            title = f"Calendar edge {day} {self.tag}"
            if (event_id := self._create_event(editor, title, day)) is not None:
                edges[event_id] = title
        for event_id in edges:
            # The worst move last, so that a panel that takes them all leaves year 0 behind.
            self._batch(editor, [event_id], date_change="set", new_date="0000-12-31")
            for days in ("36500", "-36500", "5", "-5"):
                self._batch(editor, [event_id], date_change="shift", shift_days=days)
        for event_id, stored in self._dates_out_of_range():
            self.add(f"calendar edge: event #{event_id} was stored with the date {stored}")
        for actor in self.actors:
            for event_id, title in edges.items():
                self._read_edge_pages(actor, event_id, title)

    def _dates_out_of_range(self) -> list[tuple[int, str]]:
        # Read as text: a year-0 or BC date cannot be loaded as a Python date.
        query = text(
            "SELECT id, CAST(date_of AS TEXT) FROM events "
            "WHERE date_of < '1900-01-01' OR date_of > '9999-12-31'"
        )
        with self.engine.connect() as conn:
            return [(int(row[0]), str(row[1])) for row in conn.execute(query)]

    def _read_edge_pages(self, actor: Actor, event_id: int, title: str) -> None:
        pages = [
            f"/admin/event/details/{event_id}",
            f"/admin/event/history/{event_id}",
            "/admin/event/list?sortBy=date_of&sort=asc",
            "/admin/event/list?sortBy=date_of&sort=desc",
            f"/admin/event/list?{httpx.QueryParams({'search': title})}",
            f"/admin/event/export/csv?{httpx.QueryParams({'search': title})}",
            f"/admin/search?{httpx.QueryParams({'q': title})}",
            f"/admin/event/list?organizer={self.organizer}",
            f"/admin/user/details/{self.organizer}",
        ]
        if actor.may_edit:
            pages.append(f"/admin/event/edit/{event_id}")
        for page in pages:
            response = self.send(actor, "GET", page)
            if response.status_code >= 400:
                self.add(f"calendar edge: {actor.name} GET {page} -> {response.status_code}")

    # --- Reads ------------------------------------------------------------------------------

    def _save_view(self, actor: Actor, name: str, *, shared: bool) -> int | None:
        data = {"name": name, "state": "search=a", **({"shared": "yes"} if shared else {})}
        self.send(actor, "POST", "/admin/event/saved-views", data=data)
        with self.engine.connect() as conn:
            found = conn.scalar(select(SavedView.id).where(SavedView.name == name))
        return int(found) if found is not None else None

    def private_reads(self) -> None:
        """Secrets made by admins and editors, then every page a role reads, searched for them."""
        secrets: list[tuple[str, str | None, str]] = []  # (text, who may see it, what it is)
        admin = next(self.of_role("admin"))
        secret_email = f"scan-secret-{self.tag}@example.org"
        self.send(
            admin,
            "POST",
            "/admin/staff/create",
            data={
                "email": secret_email,
                "role": "viewer",
                "is_active": "y",
                "new_password": f"a long scan password {self.tag}",
            },
        )
        secrets.append((secret_email, "admin", "a staff account"))
        secrets.append((ADDRESS_CELL, "admin", "a staff member's address"))
        private_views: list[int] = []
        for actor in self.actors:
            name = f"Private view of {actor.email} {self.tag}"
            if (view_id := self._save_view(actor, name, shared=False)) is not None:
                secrets.append((name, actor.email, "another's private view"))
                private_views.append(view_id)
        pages = self._pages_to_read(private_views)
        for actor in self.actors:
            for page in pages:
                body = self.send(actor, "GET", page).text
                for secret, owner, what in secrets:
                    allowed = owner == actor.email or (owner == "admin" and actor.role == "admin")
                    if not allowed and secret in body:
                        self.add(f"read: {actor.name} GET {page} shows {what} ({secret[:40]})")
        self._second_member_changes_nothing()

    def _pages_to_read(self, private_views: list[int]) -> list[str]:
        with self.engine.connect() as conn:
            change_sets = list(conn.scalars(select(ChangeSet.id)))
        pages = [
            "/admin/",
            "/admin/event/list",
            "/admin/event/saved-views",
            "/admin/recently-deleted",
            "/admin/audit-entry/list",
            f"/admin/search?q={self.tag}",
            f"/admin/search?q=Private+view+{self.tag}",
        ]
        for target in ("staff", "saved-view", "user", "event"):
            pages.append(f"/admin/change-set/list?target={target}")
        for change_set_id in change_sets:
            pages.append(f"/admin/change-set/details/{change_set_id}")
            pages.append(f"/admin/change-set/undo/{change_set_id}")
        pages += [f"/admin/event/saved-view/{view_id}" for view_id in private_views]
        return pages

    def _second_member_changes_nothing(self) -> None:
        """A second editor renames, unshares and deletes the first editor's shared view: every
        attempt is refused and the view stays as it was."""
        first, second = list(self.of_role("editor"))[:2]
        view_id = self._save_view(first, f"Shared by {first.email} {self.tag}", shared=True)
        if view_id is None:
            self.add(f"write: {first.name} could not save a shared view")
            return
        before = snapshot(self.engine)
        for form in (
            {"action": "save", "name": "Taken over", "shared": "yes"},
            {"action": "save", "name": "Taken over"},
            {"action": "delete"},
        ):
            self.send(second, "POST", f"/admin/event/saved-view/{view_id}", data=form)
        changes = diff(before, snapshot(self.engine))
        if changes.rows_touched().get("saved_views"):
            self.add(f"write: {second.name} changed {first.name}'s view: {changes.describe()}")

    # --- The undo rule ----------------------------------------------------------------------

    def undo_rule(self) -> None:
        title = f"Bulk scan {self.tag}"
        rows = [
            {
                "title": f"{title} {n}",
                "date_of": date(2026, 1, 1),
                "social_status": "public",
                "organizer_id": self.organizer,
                "version": 1,
            }
            for n in range(LARGE)
        ]
        with self.engine.begin() as conn:
            conn.execute(insert(Event), rows)
        admin, other_admin = list(self.of_role("admin"))[:2]
        bulk = {"scope": "filter", "search": title}
        self.send(admin, "POST", "/admin/event/bulk/delete", data=bulk)
        alive = select(func.count()).where(Event.title.startswith(title))
        change_set = self._scalar(select(func.max(ChangeSet.id)))
        if self._scalar(alive) != 0:
            self.add(f"write: {admin.name} could not bulk-delete {LARGE} events")
            return
        for editor in self.of_role("editor"):
            tries = [
                ("/admin/recently-deleted", {"action": "restore", "change_set": str(change_set)}),
                (f"/admin/change-set/undo/{change_set}", {}),
            ]
            for path, form in tries:
                self.send(editor, "POST", path, data=form)
                if (back := self._scalar(alive)) != 0:
                    self.add(
                        f"undo rule: {editor.name} POST {path} brought back {back} rows of an "
                        f"admin's change set of {LARGE} (only the author or an admin may)"
                    )
                    return
        restore = {"action": "restore", "change_set": str(change_set)}
        self.send(other_admin, "POST", "/admin/recently-deleted", data=restore)
        if self._scalar(alive) != LARGE:
            self.add(f"undo rule: {other_admin.name} could not restore change set #{change_set}")

    # --- Writes that must work --------------------------------------------------------------

    def _event(self, event_id: int) -> dict[str, object]:
        with self.engine.connect() as conn:
            row = conn.execute(select(Event).where(Event.id == event_id)).mappings().first()
        return dict(row) if row is not None else {}

    def allowed_writes(self) -> None:
        for actor in self.actors:
            event_id = self._create_event(
                next(self.of_role("admin")), f"Writes of {actor.email} {self.tag}", "2027-03-04"
            )
            if event_id is None:
                self.add("write: an admin could not create an event")
                return
            self._cell(actor, event_id)
            self._batch_status(actor, event_id)
            self._columns(actor)
            if actor.may_edit:
                self._revert_and_undo(actor, event_id)
                self._delete_and_restore(actor, event_id)
            for term in HOSTILE_TERMS:
                response = self.send(actor, "GET", "/admin/search", params={"q": term})
                if response.status_code != 200:
                    self.add(f"palette: {actor.name} q={term!r} -> {response.status_code}")

    def _expect(self, actor: Actor, what: str, worked: bool, answer: httpx.Response) -> None:
        if worked != actor.may_edit:
            verb = "could not" if actor.may_edit else "could"
            said = answer.text[:200].replace("\n", " ")
            self.add(f"write: {actor.name} {verb} {what} ({answer.status_code}: {said})")

    def _cell(self, actor: Actor, event_id: int) -> None:
        version = str(self._event(event_id).get("version"))
        title = f"Cell by {actor.email} {self.tag}"
        form = {"field": "title", "value": title, "version": version}
        answer = self.send(actor, "POST", f"/admin/event/cell/{event_id}", data=form)
        saved = self._event(event_id)["title"] == title
        self._expect(actor, "save a title in a list cell", saved, answer)

    def _batch_status(self, actor: Actor, event_id: int) -> None:
        answer = self._batch(actor, [event_id], new_status="private")
        private = self._status_is(event_id, "private")
        self._expect(actor, "batch-edit an event's status", private, answer)

    def _columns(self, actor: Actor) -> None:
        form = {"order": ["title", "date_of"], "show": ["title", "date_of"]}
        before = snapshot(self.engine)
        response = self.send(actor, "POST", "/admin/event/columns", data=form)
        changed = diff(before, snapshot(self.engine)).changed["staff"]
        with self.engine.connect() as conn:
            own = conn.scalar(select(Staff.id).where(Staff.email == actor.email))
        if response.status_code >= 400 or set(changed) - {own}:
            self.add(f"write: {actor.name} choosing columns -> {response.status_code}, {changed}")

    def _revert_and_undo(self, actor: Actor, event_id: int) -> None:
        # The batch edit made it private: back to the version before (public), then undone.
        event = self._event(event_id)
        form = {"to": str(int(str(event["version"])) - 1), "version": str(event["version"])}
        self.send(actor, "POST", f"/admin/event/history/{event_id}", data=form)
        if not self._status_is(event_id, "public"):
            self.add(f"write: {actor.name} could not revert event #{event_id}")
            return
        change_set = self._scalar(select(func.max(ChangeSet.id)))
        self.send(actor, "POST", f"/admin/change-set/undo/{change_set}", data={})
        if not self._status_is(event_id, "private"):
            self.add(f"write: {actor.name} could not undo their revert #{change_set}")

    def _status_is(self, event_id: int, status: str) -> bool:
        return str(self._event(event_id).get("social_status")).endswith(status)

    def _delete_and_restore(self, actor: Actor, event_id: int) -> None:
        self.send(actor, "POST", "/admin/event/bulk/delete", data={"pks": str(event_id)})
        if self._event(event_id):
            self.add(f"write: {actor.name} could not delete event #{event_id}")
            return
        change_set = self._scalar(select(func.max(ChangeSet.id)))
        form = {"action": "restore", "change_set": str(change_set)}
        self.send(actor, "POST", "/admin/recently-deleted", data=form)
        if not self._event(event_id):
            self.add(f"write: {actor.name} could not restore their own delete #{change_set}")

    # --- Payloads ---------------------------------------------------------------------------

    def payloads(self) -> None:
        editor = next(self.of_role("editor"))
        title = f"{PAYLOAD} {self.tag}"
        event_id = self._create_event(editor, title, "2027-01-02")
        self._save_view(editor, f"{PAYLOAD[:60]} {self.tag}", shared=True)
        if event_id is None:
            self.add(f"payload: {editor.name} could not create an event titled with markup")
            return
        pages = [
            f"/admin/event/list?{httpx.QueryParams({'search': self.tag})}",
            f"/admin/event/details/{event_id}",
            f"/admin/event/history/{event_id}",
            f"/admin/search?{httpx.QueryParams({'q': self.tag})}",
            "/admin/event/saved-views",
            "/admin/",
        ]
        for actor in self.actors:
            for page in pages:
                if "<script>alert('scan')" in self.send(actor, "GET", page).text:
                    self.add(f"payload: {actor.name} GET {page} returns markup unescaped")

    # --- Invariants -------------------------------------------------------------------------

    def invariants(self) -> None:
        month = func.substr(cast(Event.date_of, String), 1, 7)
        with self.engine.connect() as conn:
            counted = conn.execute(select(month, func.count()).group_by(month)).all()
            tallied = conn.execute(
                select(EventTally.month, func.sum(EventTally.delta)).group_by(EventTally.month)
            ).all()
            per_month = {str(key): int(total) for key, total in counted}
            if per_month != {str(key): int(total) for key, total in tallied if total}:
                self.add("invariant: the dashboard's tallies disagree with the events")
            if self.engine.dialect.name == "sqlite":
                for table in SEARCH_TABLES:
                    check = text(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
                    try:
                        conn.execute(check)
                    except DBAPIError as exc:
                        self.add(f"invariant: SQLite's search index {table} is broken: {exc}")
                conn.rollback()
