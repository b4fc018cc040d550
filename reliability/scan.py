"""Hostile route scan: every mounted route, every method, as every role, on the real server.

    .venv/bin/python -m reliability.scan                  # both databases (CI runs this)
    .venv/bin/python -m reliability.scan --db sqlite

Per database: a fresh, seeded database with an admin, an editor and a viewer, served by
`uvicorn admin_app.main:create_app --factory`. Rows are planted whose values name files the server
can read (an absolute path to a canary file, `pyproject.toml`, `../pyproject.toml`, the database
itself). Then each staff member, and an anonymous visitor, sends to every route the app mounts
(read from `create_app`, so a new route is scanned without editing this file) each HTTP method,
with valid keys, malformed ids, unknown views, oversized searches and fields, too many
parameters, with and without the CSRF token, and from another origin.

Before the sweep, the write scan (scan_writes.py) makes real changes as two staff members of
each role: the writes each role may make must work, calendar-edge dates must never be stored or
break a page, no role may read what it may not see (staff accounts, addresses, another's private
saved view), the undo rule holds on every path, markup stays escaped, and the tallies and the
search index agree with the rows afterwards.

The exit status is 1 when any answer is a 5xx, any answer contains a server file (the canary,
`pyproject.toml`, a SQLite header, a traceback), a refused request (4xx), a HEAD, a GET or an
unknown verb changed a row (users, events, staff, saved views, change sets, row images, login
attempts, recovery codes), or the write scan found anything.
"""

import argparse
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from pydantic import SecretStr
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from admin_app.config import Settings
from admin_app.main import create_app
from admin_app.models import Event, StaffRole, User
from admin_app.staff.accounts import create_staff
from reliability.change_counter import ChangeCounter
from reliability.load_server import (
    ROOT,
    STAFF_PASSWORD,
    AppServer,
    LoadDatabase,
    fresh_database,
    use_app_dir,
)
from reliability.scan_writes import Actor, WriteScan
from tests.routes import MountedRoute, mounted_routes
from tests.snapshots import Diff, diff

ROLE_ORDER = ("admin", "editor", "viewer")
# Problems printed per kind (the first words of a problem, before its colon).
PER_KIND = 8
METHODS = ("GET", "HEAD", "POST", "DELETE", "PUT", "PATCH", "OPTIONS", "FOO")
MALFORMED_IDS = ("abc", "1.5", "-1", "", "%C2%B2", "%D9%A1", "2147483648", "9" * 25, "%00")
IDENTITIES = ("user", "event", "staff", "audit-entry", "nope")
HUGE = "x" * 50_001
# Signs that a body holds a server file (or a crash) instead of a page.
LEAK_SIGNS = ("[build-system]", "SQLite format 3", "Traceback (most recent call last)")
# What a form of the panel could hold; the password fields are wrong on purpose, so no scan
# request changes a password (a request that did would lock the scan out).
FORM = {
    "title": "scanned",
    "date_of": "2026-01-01",
    "social_status": "private",
    "email": "scanned@example.org",
    "role": "viewer",
    "pks": "{pk}",
    "status": "private",
    "cascade": "yes",
    "username": "nobody@example.org",
    "password": "wrong password",
    "code": "000000",
    "action": "disable",
    "current_password": "wrong password",
    "new_password": "a new long password 1",
    "confirm_password": "a new long password 1",
    "save": "Save",
}


# A second staff member of each role, for the write scan (never touched by the route sweep).
SECOND_MEMBERS = [
    ("scan-admin2@example.org", StaffRole.ADMIN),
    ("scan-editor2@example.org", StaffRole.EDITOR),
    ("scan-viewer2@example.org", StaffRole.VIEWER),
]


# Who scans: the admin and editor reliability.load_server makes, the viewer plant() makes, nobody.
STAFF: list[tuple[str, str | None]] = [
    ("admin", "load0@example.org"),
    ("editor", "load1@example.org"),
    ("viewer", "scan-viewer@example.org"),
    ("anonymous", None),
]


@dataclass
class Findings:
    backend: str
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)

    def add(self, problem: str) -> None:
        # A few of each kind ("read", "undo rule", "admin GET /x -> 500"), so one noisy kind
        # cannot hide the others; the total says how many there were.
        kind = problem.split(":", 1)[0]
        self.kinds[kind] += 1
        if self.kinds[kind] <= PER_KIND and len(self.problems) < 100:
            self.problems.append(problem)


@dataclass(frozen=True)
class Probe:
    method: str
    path: str
    params: dict[str, str] | str | None = None
    form: dict[str, str] | None = None
    headers: dict[str, str] | None = None


class Scanner:
    def __init__(self, server: AppServer, database: LoadDatabase, canary: str) -> None:
        self.server = server
        self.database = database
        self.canary = canary
        self.engine = database.engine()
        self.findings = Findings(database.backend)
        self.counter = ChangeCounter(self.engine)

    def client(self, email: str | None) -> httpx.Client:
        client = httpx.Client(base_url=self.server.base_url, timeout=30.0)
        if email is not None:
            token = _token(client)
            data = {"username": email, "password": STAFF_PASSWORD, "csrf_token": token}
            response = client.post("/admin/login", data=data)
            if response.status_code != 302:
                raise RuntimeError(f"{email} could not log in: {response.status_code}")
            client.headers["X-CSRF-Token"] = _token(client, "/admin/")
        return client

    def writes(self) -> None:
        """The write scan (scan_writes.py) as two staff members of each role, before the sweep."""
        first = [(role, email) for role, email in STAFF if email is not None]
        second = [(str(role), email) for email, role in SECOND_MEMBERS]
        actors = [Actor(role, email, self.client(email)) for role, email in [*first, *second]]
        actors.sort(key=lambda actor: ROLE_ORDER.index(actor.role))

        def count(status: int) -> None:
            self.findings.requests += 1
            self.findings.statuses[status] += 1

        WriteScan(engine=self.engine, actors=actors, add=self.findings.add, count=count).run()
        for actor in actors:
            actor.client.close()
        self.counter.settle()  # the sweep judges each of its requests from here

    def send(self, who: str, client: httpx.Client, probe: Probe) -> None:
        try:
            response = client.request(
                probe.method,
                probe.path,
                params=probe.params,
                data=probe.form,
                headers=probe.headers,
            )
        except httpx.HTTPError as exc:
            self.findings.add(f"{who} {probe.method} {probe.path}: no answer ({exc!r})")
            self.counter.settle()  # whatever it did is no later request's doing
            return
        self.findings.requests += 1
        self.findings.statuses[response.status_code] += 1
        self.judge(who, probe, response, diff(*self.counter.around()))

    def judge(self, who: str, probe: Probe, response: httpx.Response, changes: Diff) -> None:
        where = f"{who} {probe.method} {probe.path} -> {response.status_code}"
        if response.status_code >= 500:
            self.findings.add(f"{where}: server error")
        body = response.content.decode("utf-8", "replace")
        leaked = [sign for sign in (self.canary, *LEAK_SIGNS) if sign in body]
        if leaked:
            self.findings.add(f"{where}: the body contains {leaked}")
        refused = response.status_code >= 400 or probe.method not in ("POST", "DELETE")
        if refused and _unexpected(changes, probe):
            self.findings.add(f"{where}: changed {changes.describe()}")


def _unexpected(changes: Diff, probe: Probe) -> bool:
    """Whether a request that must change nothing changed something it may not."""
    counts = {table: delta for table, delta in changes.counts.items() if delta}
    if "/login" in probe.path:
        counts.pop("login_attempts", None)  # a refused login is counted: that is the throttle
    if "/export/" in probe.path and probe.method in ("GET", "HEAD"):
        # An export writes its audit entry (in a change set of its own), and only that.
        counts.pop("audit_log", None)
        counts.pop("change_sets", None)
    return bool(changes.rows_touched() or counts)


def _token(client: httpx.Client, page: str = "/admin/login") -> str:
    text = client.get(page).text
    marker = '<meta name="csrf-token" content="'
    start = text.index(marker) + len(marker)
    return text[start : text.index('"', start)]


def probes(routes: list[MountedRoute], keys: dict[str, list[str]]) -> Iterator[Probe]:
    """What the scan sends: every route and method with valid and malformed keys, then hostile
    variants (oversized values, too many parameters, no token, another origin)."""
    # SQLAdmin's column file routes, probed whether or not they are mounted (a regression guard).
    for pk in keys["event"]:
        for column in ("title", "id"):
            for kind in ("download", "preview"):
                yield Probe("GET", f"/admin/event/{pk}/{column}/{kind}/")
    for kind in ("download", "preview"):
        yield Probe("GET", f"/admin/user/{keys['user'][0]}/email/{kind}/")
    for route in sorted(routes, key=lambda r: r.name == "logout"):  # logging out comes last
        for path in _paths(route, keys):
            for method in METHODS:
                form = {name: value.format(pk=keys["victim"][0]) for name, value in FORM.items()}
                # HEAD carries the form too: it must still be a GET (it once ran the write).
                yield Probe(method, path, form=form if method != "GET" else None)
        path = route.concrete(pk=keys["event"][0])
        for name in ("search", "organizer", "date_from", "term"):
            yield Probe("GET", path, params={name: HUGE, "name": "organizer"})
        yield Probe("GET", path, params="&".join(f"p{n}=1" for n in range(150)))
        if "POST" in route.methods:
            yield Probe("POST", path, form={**FORM, "title": HUGE, "email": HUGE})
            yield Probe("POST", path, form=FORM, headers={"X-CSRF-Token": "forged"})
            yield Probe("POST", path, form=FORM, headers={"Origin": "http://evil.example"})
            yield Probe("POST", path, form=FORM, headers={"Sec-Fetch-Site": "cross-site"})


def _paths(route: MountedRoute, keys: dict[str, list[str]]) -> Iterator[str]:
    if "file" in route.parameters:
        yield from (route.concrete(file=name) for name in ("css/main.css", "../../.env", "x"))
        return
    identities = IDENTITIES if "identity" in route.parameters else ("event",)
    for identity in identities:
        pks = [*keys.get(identity, ["1"]), *MALFORMED_IDS] if "pk" in route.parameters else ["1"]
        for pk in pks:
            for kind in ("delete", "set-status", "nope") if "kind" in route.parameters else ["-"]:
                for export in ("csv", "json", "xml") if "export_type" in route.parameters else "-":
                    yield route.concrete(identity=identity, pk=pk, kind=kind, export_type=export)


def plant(database: LoadDatabase, canary_path: Path) -> dict[str, list[str]]:
    """Rows whose values name server files, and the keys the scan uses."""
    names = [str(canary_path), "pyproject.toml", "../pyproject.toml", database.name, ".env"]
    engine = database.engine()
    with Session(engine) as session:
        event_ids = list(session.scalars(select(Event.id).order_by(Event.id)))
        planted = event_ids[: len(names)]
        for event_id, name in zip(planted, names, strict=True):
            session.execute(update(Event).where(Event.id == event_id).values(title=name))
        user_id = session.scalars(select(User.id).order_by(User.id)).first()
        session.execute(update(User).where(User.id == user_id).values(email=str(canary_path)))
        session.commit()
        accounts = {
            email: create_staff(session, email=email, password=STAFF_PASSWORD, role=role).id
            for email, role in [
                ("scan-target@example.org", StaffRole.EDITOR),
                ("scan-viewer@example.org", StaffRole.VIEWER),
                *SECOND_MEMBERS,
            ]
        }
    engine.dispose()
    keys = {
        "event": [str(event_id) for event_id in planted],
        # The row the scan's forms select (and bulk deletes): not one of the planted rows.
        "victim": [str(event_ids[-1])],
        "user": [str(user_id)],
        "staff": [str(accounts["scan-target@example.org"])],
        "audit-entry": ["1"],
    }
    return keys


def _mounted(database_url: str) -> list[MountedRoute]:
    """The routes the server mounts, read from the same app factory it runs."""
    key = SecretStr("scan-only-key-that-signs-nothing-0123456789")
    app = create_app(Settings(_env_file=None, database_url=database_url, secret_key=key))
    app.state.engine.dispose()
    return mounted_routes(list(app.routes))


def scan(backend: str, log_dir: Path, *, sweep: bool = True) -> Findings:
    with tempfile.TemporaryDirectory(prefix="events_scan_") as folder:
        canary = f"SCAN-CANARY-{uuid.uuid4().hex}"
        canary_path = Path(folder) / "secrets.env"
        canary_path.write_text(f"SECRET_KEY={canary}\n")
        with fresh_database(backend, users=30, events=60, staff=2) as database:
            keys = plant(database, canary_path)
            routes = _mounted(database.url)
            log = log_dir / f"scan-{backend}.log"
            with AppServer(database.url, workers=1, log_path=log) as server:
                scanner = Scanner(server, database, canary)
                started = time.monotonic()
                scanner.writes()
                for role, email in STAFF if sweep else []:
                    client = scanner.client(email)
                    for probe in probes(routes, keys):
                        scanner.send(role, client, probe)
                    client.close()
                for error in server.unhandled_errors():
                    scanner.findings.add(f"server log: {error}")
            scanner.engine.dispose()
        elapsed = time.monotonic() - started
        findings = scanner.findings
        print(
            f"{backend}: {findings.requests:,} requests over {len(routes)} routes in "
            f"{elapsed:.0f} s; statuses {dict(sorted(findings.statuses.items()))}"
        )
        return findings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reliability.scan", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--db", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    parser.add_argument("--logs", type=Path, help="where server logs go (default: a temp dir)")
    parser.add_argument("--app-dir", type=Path, help="serve the app from this copy of the code")
    parser.add_argument(
        "--writes-only", action="store_true", help="the write scan alone, without the route sweep"
    )
    args = parser.parse_args(argv)
    use_app_dir(args.app_dir)
    log_dir = args.logs or Path(tempfile.mkdtemp(prefix="events_scan_logs_"))
    failed = False
    for backend in args.db:
        findings = scan(backend, log_dir, sweep=not args.writes_only)
        for problem in findings.problems:
            print(f"  FAIL {problem}")
        for kind, total in findings.kinds.items():
            if total > PER_KIND:
                print(f"  ... {total} problems of the kind {kind!r} in all")
        failed = failed or bool(findings.problems)
    print(f"server logs: {log_dir}; working directory of the servers: {ROOT}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
