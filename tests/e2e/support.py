"""What the browser flows share: the live server, test data, problem recording, screenshots."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from importlib.resources import files
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import (
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Locator,
    Page,
    Request,
    Response,
    ViewportSize,
    WebError,
    expect,
)
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, sessionmaker

from admin_app import audit
from admin_app.db import engine_at, make_session_factory
from admin_app.history import recorder
from admin_app.jobs import store
from admin_app.jobs.notifications import notify
from admin_app.models import AuditEntry, Event, Job, SocialStatus, Staff, StaffRole, User
from admin_app.staff.accounts import create_staff

REPO_ROOT = Path(__file__).resolve().parents[2]
RESULTS_DIR = REPO_ROOT / "test-results" / "e2e"
DOCS_SCREENSHOTS_DIR = REPO_ROOT / "docs" / "screenshots"
# Set to 1 to refresh docs/screenshots/ from the SQLite run (the PostgreSQL run never writes there).
UPDATE_DOCS_ENV = "E2E_UPDATE_DOCS_SCREENSHOTS"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}

SECRET_KEY = "e2e-only-signing-key-0123456789abcdef"
STAFF_EMAIL = "e2e-admin@example.org"
STAFF_PASSWORD = "an e2e staff password"
SERVER_START_TIMEOUT = 30.0


# --- The server under test -------------------------------------------------------------------


@dataclass(frozen=True)
class LiveServer:
    backend: str
    url: str
    database_url: str
    staff_email: str
    staff_password: str


def app_env(database_url: str) -> dict[str, str]:
    """The environment every `python -m admin_app` command of the suite runs with."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key.upper() not in {"ADMIN_EMAIL", "ADMIN_PASSWORD", "APP_ENV", "SQL_ECHO"}
    }
    pythonpath = [str(REPO_ROOT), *filter(None, [env.get("PYTHONPATH")])]
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET_KEY,
        APP_ENV="development",
        PYTHONPATH=os.pathsep.join(pythonpath),
        PYTHONUNBUFFERED="1",
        # A CSV export of the whole events list (60 seeded rows and more) is a background job,
        # run by the worker `serve` starts beside the server.
        JOBS_EXPORT_ROWS="20",
        # Bulk work on all rows of a filter of more than 50 rows is a job too.
        JOBS_WRITE_ROWS="50",
        JOBS_EMBEDDED_WORKER="true",
    )
    return env


def run_cli(*args: str, env: dict[str, str], cwd: Path, stdin: str | None = None) -> str:
    """Run one `python -m admin_app` command; a non-zero exit fails the session with its output."""
    result = subprocess.run(
        [sys.executable, "-m", "admin_app", *args],
        input=stdin,
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`python -m admin_app {' '.join(args)}` exited {result.returncode}:\n"
            f"{result.stdout}{result.stderr}",
            pytrace=False,
        )
    return result.stdout


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll GET /health until it answers 200; fail with the server log if it never does."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"The server exited with {process.returncode} before it was healthy:\n"
                f"{log.read_text()}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            last_error = str(exc)
        time.sleep(0.1)
    pytest.fail(
        f"{url}/health did not answer 200 within {SERVER_START_TIMEOUT:.0f}s ({last_error}):\n"
        f"{log.read_text()}",
        pytrace=False,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# --- Test data, read and written straight through SQLAlchemy ---------------------------------


EventSpec = tuple[str, date, SocialStatus]


def unique_token(prefix: str) -> str:
    """A word no other row contains, so a flow can find (and search for) exactly its own rows."""
    return f"{prefix}{uuid.uuid4().hex[:8]}"


class Database:
    """The database the server uses, opened separately by the tests."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = engine_at(url)
        self._sessions: sessionmaker[Session] = make_session_factory(self.engine)
        # As the app does: edits made here as a staff member leave images and audit entries.
        audit.install(self._sessions)
        recorder.install(self._sessions)

    def dispose(self) -> None:
        self.engine.dispose()

    def add_user(self, email: str) -> User:
        with self._sessions() as session:
            user = User(email=email)
            session.add(user)
            session.commit()
            return user

    def add_events(self, organizer: User, specs: Sequence[EventSpec]) -> list[Event]:
        with self._sessions() as session:
            events = [
                Event(title=title, date_of=day, social_status=status, organizer_id=organizer.id)
                for title, day, status in specs
            ]
            session.add_all(events)
            session.commit()
            return events

    def add_staff(self, email: str, password: str, *, mfa_secret: str | None = None) -> Staff:
        with self._sessions() as session:
            staff = create_staff(session, email=email, password=password, role=StaffRole.ADMIN)
            if mfa_secret:
                staff.mfa_secret = mfa_secret
                session.commit()
            return staff

    def add_audit_entry(self, summary: str) -> int:
        """An audit entry as the panel writes them (for pages that show one)."""
        staff_id = self.staff(STAFF_EMAIL).id
        with self._sessions() as session, session.begin():
            audit.set_actor(audit.Actor(staff_id=staff_id, email=STAFF_EMAIL, client="127.0.0.1"))
            audit.record(session, action="update", target="event", summary=summary)
            audit.set_actor(None)
        with self._sessions() as session:
            return int(session.scalar(select(func.max(AuditEntry.id))) or 0)

    def rename_event(self, event_id: int, title: str) -> int:
        """Edit an event as the e2e admin would (a new version in its history); returns the
        change set id."""
        staff_id = self.staff(STAFF_EMAIL).id
        audit.set_actor(audit.Actor(staff_id=staff_id, email=STAFF_EMAIL, client="127.0.0.1"))
        try:
            with self._sessions() as session, session.begin():
                event = session.get(Event, event_id)
                assert event is not None
                event.title = title
                session.flush()
                change_set_id = audit.change_set_of(session)
        finally:
            audit.set_actor(None)
        assert change_set_id is not None
        return change_set_id

    def add_waiting_export_job(self) -> int:
        """An export job asked by the suite's admin that no worker has been sent yet: as a job
        waiting behind others looks (the page can cancel it before it starts)."""
        with self._sessions() as session:
            staff_id = session.scalar(select(Staff.id).where(Staff.email == STAFF_EMAIL))
        job_id, _ = store.ask(
            self._sessions,
            kind="export",
            owner=store.Owner(staff_id=staff_id, email=STAFF_EMAIL),
            params={"identity": "event", "query": "social_status=private", "format": "csv"},
            total=None,
            idempotency_key=None,
        )
        return job_id

    def notify_admin(self, text: str) -> None:
        """A notification for the suite's admin, as a finished job leaves one."""
        with self._sessions() as session, session.begin():
            staff_id = session.scalar(select(Staff.id).where(Staff.email == STAFF_EMAIL))
            assert staff_id is not None
            notify(session, staff_id=staff_id, text=text, link="/admin/jobs", job_id=None)

    def job_state(self, job_id: int) -> str:
        with self._sessions() as session:
            state = session.scalar(select(Job.state).where(Job.id == job_id))
            assert state is not None
            return state.value

    def event(self, event_id: int) -> Event | None:
        with self._sessions() as session:
            return session.get(Event, event_id)

    def staff(self, email: str) -> Staff:
        with self._sessions() as session:
            return session.scalars(select(Staff).where(Staff.email == email)).one()

    def existing_event_ids(self, events: Sequence[Event]) -> set[int]:
        with self._sessions() as session:
            ids = [event.id for event in events]
            return set(session.scalars(select(Event.id).where(Event.id.in_(ids))))

    def existing_user_ids(self, users: Sequence[User]) -> set[int]:
        with self._sessions() as session:
            ids = [user.id for user in users]
            return set(session.scalars(select(User.id).where(User.id.in_(ids))))

    def count_events(self, *where: ColumnElement[bool]) -> int:
        with self._sessions() as session:
            return int(session.scalar(select(func.count(Event.id)).where(*where)) or 0)

    def count_users(self, *where: ColumnElement[bool]) -> int:
        with self._sessions() as session:
            return int(session.scalar(select(func.count(User.id)).where(*where)) or 0)

    def events_where(self, *where: ColumnElement[bool]) -> list[Event]:
        with self._sessions() as session:
            return list(session.scalars(select(Event).where(*where)))

    def last_login(self, email: str) -> datetime | None:
        return self.staff(email).last_login_at


# --- Browser problems: console errors, failed requests, server errors ------------------------


class BrowserProblems:
    """Everything that went wrong in the browser during one test, whatever tab it happened in.

    Recorded: console errors, uncaught page errors, dialogs (the panel only alerts on errors),
    failed requests, responses >= 500 and 4xx responses the test did not announce with
    `allow_status` (a 400 is how the panel re-renders a refused form, for example).
    """

    # The browser itself cancelled the request: select2 dropping a lookup a newer keystroke
    # superseded, or a font/script still loading when the page navigated away. A server that
    # fails shows up as a status or a connection error instead.
    _CANCELLED = "net::ERR_ABORTED"

    def __init__(self) -> None:
        self.problems: list[str] = []
        self._allowed: set[tuple[int, str]] = {(404, "/favicon.ico")}

    def allow_status(self, status: int, path: str) -> None:
        """Expect `status` from `path` in this test (e.g. 400 for a form re-shown with errors)."""
        self._allowed.add((status, path))

    def watch(self, context: BrowserContext) -> None:
        context.on("console", self._on_console)
        context.on("weberror", self._on_web_error)
        context.on("dialog", self._on_dialog)
        context.on("requestfailed", self._on_request_failed)
        context.on("response", self._on_response)

    def report(self) -> str:
        return "\n".join(f"  - {problem}" for problem in self.problems)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        # Chromium's note about an HTTP error status; _on_response judges those, with the URL.
        if message.text.startswith("Failed to load resource: the server responded with"):
            return
        where = message.location.get("url", "")
        self.problems.append(f"console error: {message.text} ({where})")

    def _on_web_error(self, error: WebError) -> None:
        self.problems.append(f"uncaught error in the page: {error.error}")

    def _on_dialog(self, dialog: Dialog) -> None:
        self.problems.append(f"unexpected {dialog.type} dialog: {dialog.message}")
        dialog.dismiss()

    def _on_request_failed(self, request: Request) -> None:
        failure = request.failure or "unknown failure"
        if failure == self._CANCELLED and request.resource_type != "document":
            return
        self.problems.append(f"request failed: {request.method} {request.url}: {failure}")

    def _on_response(self, response: Response) -> None:
        status = response.status
        if status < 400 or (status, urlsplit(response.url).path) in self._allowed:
            return
        what = "server error" if status >= 500 else "unexpected client error"
        self.problems.append(f"{what}: {response.request.method} {response.url} -> {status}")


# --- Screenshots -----------------------------------------------------------------------------


class Screenshots:
    """Numbered screenshots of one test under test-results/e2e/<test name>/."""

    def __init__(self, results: Path, test_name: str, *, update_docs: bool) -> None:
        self.folder = results / re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name).strip("-")
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.update_docs = update_docs
        self._count = 0

    def take(self, page: Page, name: str, *, docs_name: str | None = None) -> Path:
        self._count += 1
        path = self.folder / f"{self._count:02d}-{name}.png"
        # A loaded 2-core machine can take longer than the 10 s default to paint a screenshot;
        # the screenshot is evidence, not the behaviour under test, so it gets more time.
        page.screenshot(path=path, animations="disabled", caret="initial", timeout=60_000)
        if docs_name and self.update_docs:
            DOCS_SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS_SCREENSHOTS_DIR / docs_name)
        return path


# --- Page helpers ----------------------------------------------------------------------------


def submit_login(page: Page, email: str, password: str) -> None:
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name=re.compile(r"^\s*log\s?in\s*$", re.IGNORECASE)).click()


LOGIN_URL = re.compile(r"/admin/login(\?.*)?$")
INDEX_URL = re.compile(r"/admin/$")


def login(page: Page, email: str, password: str) -> None:
    page.goto("/admin/login")
    submit_login(page, email, password)
    expect(page).to_have_url(INDEX_URL)


def logout(page: Page) -> None:
    """The sidebar's Logout (a POST form)."""
    page.get_by_role("button", name="Logout").click()
    expect(page).to_have_url(LOGIN_URL)


def nav_link(page: Page, name: str) -> Locator:
    """An entry of the sidebar menu (Users, Events, ...)."""
    return page.locator("#navbar-menu").get_by_role("link", name=name, exact=True)


def save_form(page: Page) -> None:
    page.get_by_role("button", name="Save", exact=True).click()


def fill_date(page: Page, selector: str, day: date) -> None:
    """Type a date into a flatpickr field; Enter commits it and closes the calendar."""
    field = page.locator(selector)
    field.fill(day.isoformat())
    field.press("Enter")
    expect(page.locator(".flatpickr-calendar.open")).to_have_count(0)


def open_organizer_picker(page: Page, typed: str) -> Locator:
    """Open the select2 organizer picker, type like a person; return the suggestion items."""
    page.locator("#organizer + .select2-container .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").press_sequentially(typed)
    return page.locator(".select2-results__option:not(.loading-results)")


def picked_organizer(page: Page) -> Locator:
    return page.locator("#organizer + .select2-container .select2-selection__rendered")


def search(page: Page, term: str) -> None:
    page.locator("#search-input").fill(term)
    page.locator("#search-input").press("Enter")
    page.wait_for_url(re.compile(r"[?&]search="))


def list_rows(page: Page) -> Locator:
    return page.locator("table tbody tr")


def row_with(page: Page, text: str) -> Locator:
    return list_rows(page).filter(has_text=text)


def column(page: Page, label: str) -> Locator:
    """The cells of the list column headed `label`, top to bottom."""
    headers = [header.strip() for header in page.locator("table thead th").all_inner_texts()]
    return page.locator(f"table tbody tr td:nth-child({headers.index(label) + 1})")


def items_summary(page: Page) -> Locator:
    """The "Showing 1 to 25 of 80 items" line under a list."""
    return page.locator(".card-footer p").filter(has_text="Showing")


def shown_total(page: Page) -> int:
    """The total the list shows, made exact first when the page says it reused an older count.

    (A list reuses its count for a minute per filter and then says so under the table; rows
    the tests insert straight into the database are not known to the server's count cache.)
    """
    # A first page shows its rows before its count: the page's script fetches the count.
    expect(page.locator("#list-count[data-count-url]")).to_have_count(0)
    note = page.locator("#count-note")
    if note.count():
        note.get_by_role("link", name="Count again").click()
        expect(note).to_have_count(0)
    text = items_summary(page).inner_text()
    match = re.search(r"of ([\d,]+) items", text)
    assert match, f"no item count in {text!r}"
    return int(match.group(1).replace(",", ""))


def query_params(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def tick(page: Page, *row_texts: str) -> None:
    for text in row_texts:
        row_with(page, text).locator(".select-box").check()


def open_bulk_delete(page: Page) -> Locator:
    """Actions -> Delete selected items; return the confirmation dialog once it is shown."""
    page.get_by_role("button", name="Actions").click()
    page.locator("#action-delete").click()
    dialog = page.locator("#modal-delete")
    expect(dialog).to_be_visible()
    # The text is filled in when Bootstrap's "shown" event fires, i.e. after the fade-in.
    expect(dialog.locator("#modal-delete-text")).not_to_be_empty()
    return dialog


def confirm_bulk_delete(page: Page) -> Response:
    """Press Delete in the open dialog; return the DELETE response the panel got."""
    with page.expect_response(lambda response: response.request.method == "DELETE") as info:
        page.locator("#modal-delete-button").click()
    return info.value


def expect_flash(page: Page, text: str) -> None:
    """A flash message (toast or alert) with `text` is shown, fully faded in."""
    message = page.get_by_role("alert").filter(has_text=text)
    expect(message).to_be_visible()
    expect(message).to_have_css("opacity", "1")


def describe(response: Response) -> str:
    """A response for an assertion message: method, URL, status and the start of the body."""
    try:
        body = response.text()[:300]
    except PlaywrightError as exc:  # the body is gone once the page navigated away
        body = f"<unavailable: {exc.message}>"
    return f"{response.request.method} {response.url} -> {response.status}: {body}"


# --- Accessibility ------------------------------------------------------------------------------

AXE_SCRIPT = files("axe_playwright_python").joinpath("axe.min.js").read_text()
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.2 A/AA violations on the page as it is now, one line per node."""
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
    )
    return [
        f"{violation['id']} ({violation['impact']}): {node['html'][:160]}"
        for violation in result["violations"]
        for node in violation["nodes"]
    ]
