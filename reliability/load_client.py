"""Logged-in staff browsers for the load harness, what they do, and what they were told.

Every request is timed under a kind ("events:list", "event:create", ...). Answers the app gives
on purpose (a 400 for the refused half of a conflict, a 302 after a save) are expected; anything
else is recorded as an error with its status. What the app acknowledged (creates, edits, deletes,
conflicting saves) goes in the ledger that the invariant check compares with the database.
"""

import asyncio
import contextlib
import html
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx

# A list's first page that left its count for later names its count page (list_count.html).
COUNT_URL = re.compile(r'data-count-url="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
VERSION_FIELD = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')
STALE_REFUSALS = ("someone else changed this event", "someone else saved this event")
OUTAGE_TEXT = "Database unavailable"
DATABASE_REFUSED = "The database could not complete the change"
REQUEST_TIMEOUT = 30.0
KEEPALIVE_EXPIRY = 2.0
# Failures kept verbatim for the report (the counters keep the totals).
ERRORS_KEPT = 30


class RequestFailed(Exception):
    """A request whose answer was not what this step needs; the action stops there."""


@dataclass
class Sample:
    kind: str
    status: str
    started: float
    seconds: float


@dataclass
class Stats:
    """Every request's kind, status and duration, and the unexpected answers."""

    t0: float = field(default_factory=time.monotonic)
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    error_count: Counter[str] = field(default_factory=Counter)
    # (start, end) windows in which a 503 "Database unavailable" is an expected answer.
    outage_windows: list[tuple[float, float | None]] = field(default_factory=list)
    outage_answers: int = 0
    # Streamed exports cut off mid-body by an outage (the status line had gone out already).
    cut_streams: int = 0
    # Saves refused with a 400 "could not complete the change" during an outage (not a 503).
    outage_refusals: int = 0

    def record(self, kind: str, status: str, started: float, seconds: float) -> None:
        self.samples.append(Sample(kind, status, started - self.t0, seconds))

    def error(self, kind: str, status: str, detail: str) -> None:
        self.error_count[f"{kind} -> {status}"] += 1
        if len(self.errors) < ERRORS_KEPT:
            at = time.monotonic() - self.t0
            self.errors.append(f"t={at:.2f}s {kind} -> {status}: {detail[:300]}")

    def in_outage(self, started: float, ended: float) -> bool:
        """Whether a request (monotonic start and end) overlapped an injected outage."""
        first, last = started - self.t0, ended - self.t0
        return any(
            last >= start and (end is None or first <= end) for start, end in self.outage_windows
        )


@dataclass
class Conflict:
    """Two staff saved the same event from forms opened at the same version."""

    event_id: int
    titles: tuple[str, str]
    statuses: tuple[str, str]
    # The event's title read from the database right after both answers (None: not read).
    title_after: str | None = None

    @property
    def saved(self) -> str | None:
        """The title of the save acknowledged with a redirect, when exactly one was."""
        winners = [t for t, s in zip(self.titles, self.statuses, strict=True) if s == "302"]
        return winners[0] if len(winners) == 1 else None

    @property
    def clean(self) -> bool:
        """Exactly one saved and one refused as stale (no outage or timeout involved)."""
        return sorted(self.statuses) == ["302", "400"]


@dataclass
class Ledger:
    """What the app acknowledged to the clients."""

    # Event id -> its title as last acknowledged (created or edited by its creator).
    created: dict[int, str] = field(default_factory=dict)
    # Events whose latest write was not acknowledged either way (timeout, outage): not checked.
    uncertain: set[int] = field(default_factory=set)
    deleted: set[int] = field(default_factory=set)
    conflicts: list[Conflict] = field(default_factory=list)
    conflict_rows: set[int] = field(default_factory=set)
    # Ids of acknowledged-deleted events that a later create was given again.
    reused: set[int] = field(default_factory=set)


class Browser:
    """One staff member's browser: its own cookies, its own CSRF token."""

    def __init__(self, base_url: str, email: str, password: str, stats: Stats) -> None:
        self.client = httpx.AsyncClient(
            base_url=base_url,
            timeout=REQUEST_TIMEOUT,
            follow_redirects=False,
            headers={"user-agent": "events-admin-load/1"},
            # Drop idle connections before uvicorn does (5 s), or a reuse races its close.
            limits=httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY),
        )
        self.email = email
        self.password = password
        self.stats = stats

    async def close(self) -> None:
        await self.client.aclose()

    async def request(
        self,
        kind: str,
        method: str,
        url: str,
        *,
        expect: Collection[int] = (200,),
        **kwargs: object,
    ) -> httpx.Response:
        """One timed request; an unexpected answer is recorded and raised as RequestFailed."""
        started = time.monotonic()
        try:
            # The whole body is read (an export too), so the time includes it.
            response = await self.client.request(method, url, **kwargs)  # type: ignore[arg-type]
        except httpx.TimeoutException as exc:
            self.stats.record(kind, "timeout", started, time.monotonic() - started)
            self.stats.error(kind, "timeout", f"{method} {url}: {exc!r}")
            raise RequestFailed(kind) from exc
        except httpx.HTTPError as exc:
            ended = time.monotonic()
            self.stats.record(kind, "transport", started, ended - started)
            if kind.endswith("export") and self.stats.in_outage(started, ended):
                self.stats.cut_streams += 1
            else:
                self.stats.error(kind, "transport", f"{method} {url}: {exc!r}")
            raise RequestFailed(kind) from exc
        ended = time.monotonic()
        status = str(response.status_code)
        self.stats.record(kind, status, started, ended - started)
        if response.status_code in expect:
            return response
        if self._expected_outage(response, started, ended):
            self.stats.outage_answers += 1
            raise RequestFailed(kind)
        if (
            response.status_code == 400
            and DATABASE_REFUSED in response.text
            and self.stats.in_outage(started, ended)
        ):
            self.stats.outage_refusals += 1
        self.stats.error(kind, status, f"{method} {url}: {_text(response)}")
        raise RequestFailed(kind)

    def _expected_outage(self, response: httpx.Response, started: float, ended: float) -> bool:
        return (
            response.status_code == 503
            and self.stats.in_outage(started, ended)
            and (OUTAGE_TEXT in response.text or "unavailable" in response.text)
        )

    async def login(self) -> None:
        page = await self.request("login:form", "GET", "/admin/login")
        token = _csrf(page)
        form = {"username": self.email, "password": self.password, "csrf_token": token}
        await self.request("login:post", "POST", "/admin/login", data=form, expect=(302,))
        await self.refresh_token()

    async def refresh_token(self) -> None:
        """The session's CSRF token (rotated at login), sent as a header like the panel's JS."""
        page = await self.request("dashboard", "GET", "/admin/")
        self.client.headers["X-CSRF-Token"] = _csrf(page)


def _csrf(response: httpx.Response) -> str:
    match = CSRF_META.search(response.text)
    if not match:
        raise RequestFailed("no CSRF token on the page")
    return match.group(1)


def _text(response: httpx.Response) -> str:
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", response.text, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()[:300]


def form_version(response: httpx.Response) -> str:
    match = VERSION_FIELD.search(response.text)
    if not match:
        raise RequestFailed("no version on the edit form")
    return match.group(1) or match.group(2)


# --- What staff do ------------------------------------------------------------------------------

FIRST_NAMES = ["ada", "alan", "ana", "ben", "carla", "chen", "dana", "emil", "eva", "lena"]
TITLE_WORDS = ["jazz", "quiz", "yoga", "picnic", "workshop", "Summer", "film", "book", "run"]
EVENT_SORTS = ["id", "title", "date_of", "social_status"]
USER_SORTS = ["id", "email", "created_at"]


@dataclass
class World:
    """What every simulated staff member knows: the data's size, the shared rows, the ledger."""

    users: int
    events: int
    ledger: Ledger
    # Seeded events only ever edited by conflicting pairs (ids 1..N), and which are in use.
    conflict_ids: list[int]
    busy: set[int] = field(default_factory=set)
    # Reads an event's title from the database (set by the harness; None: no inline check).
    check_row: Callable[[int], str | None] | None = None


class Staff:
    """One simulated staff member, with a colleague to collide with now and then."""

    def __init__(self, number: int, browser: Browser, world: World, rng: random.Random) -> None:
        self.number = number
        self.browser = browser
        self.world = world
        self.rng = rng
        self.colleague: Browser | None = None
        self.mine: list[int] = []  # events I created and have not deleted
        self.saves = 0

    async def act(self) -> None:
        actions = [
            (self.list_events, 26),
            (self.list_users, 8),
            (self.event_details, 10),
            (self.user_details, 5),
            (self.lookup, 10),
            (self.create, 10),
            (self.edit_mine, 8),
            (self.conflict, 4),
            (self.delete_mine, 5),
            (self.set_status_mine, 2),
            (self.export, 4),
            (self.dashboard, 3),
            (self.edit_form_only, 5),
        ]
        action = self.rng.choices([a for a, _ in actions], [w for _, w in actions])[0]
        with contextlib.suppress(RequestFailed):  # recorded already; the next action starts
            await action()

    # Reading

    async def list_events(self) -> None:
        rng = self.rng
        params: dict[str, str] = {"page": str(rng.choice([1, 1, 1, 2, 3, 10]))}
        if rng.random() < 0.3:
            params["pageSize"] = rng.choice(["25", "50", "100"])
        if rng.random() < 0.5:
            params["sortBy"], params["sort"] = rng.choice(EVENT_SORTS), rng.choice(["asc", "desc"])
        if rng.random() < 0.3:
            params["social_status"] = rng.choice(["public", "private"])
        if rng.random() < 0.25:
            params["search"] = rng.choice(TITLE_WORDS)
        if rng.random() < 0.2:
            start = date.today() + timedelta(days=rng.randrange(-400, 100))
            params["date_from"] = start.isoformat()
            params["date_to"] = (start + timedelta(days=rng.choice([7, 30, 90]))).isoformat()
        if rng.random() < 0.1:
            params["organizer"] = str(rng.randint(1, self.world.users))
        kind = "events:search" if "search" in params else "events:list"
        page = await self.browser.request(
            kind, "GET", "/admin/event/list", params=params, expect=(200, 302)
        )
        await self.follow_count(page, "events:count")

    async def follow_count(self, page: httpx.Response, kind: str) -> None:
        """As the list's script does: a first page that left its count for later names the
        count page (list_count.html), fetched once the rows are shown."""
        found = COUNT_URL.search(page.text) if page.status_code == 200 else None
        if found:
            await self.browser.request(kind, "GET", html.unescape(found.group(1)))

    async def list_users(self) -> None:
        params = {"page": str(self.rng.choice([1, 1, 2, 5]))}
        if self.rng.random() < 0.4:
            params["search"] = self.rng.choice(FIRST_NAMES)
        if self.rng.random() < 0.4:
            params["sortBy"] = self.rng.choice(USER_SORTS)
            params["sort"] = self.rng.choice(["asc", "desc"])
        page = await self.browser.request(
            "users:list", "GET", "/admin/user/list", params=params, expect=(200, 302)
        )
        await self.follow_count(page, "users:count")

    async def event_details(self) -> None:
        event_id = self.rng.randint(1, self.world.events)
        await self.browser.request("event:details", "GET", f"/admin/event/details/{event_id}")

    async def user_details(self) -> None:
        user_id = self.rng.randint(1, self.world.users)
        await self.browser.request("user:details", "GET", f"/admin/user/details/{user_id}")

    async def lookup(self) -> None:
        term = self.rng.choice(FIRST_NAMES)[: self.rng.randint(2, 4)]
        params = {"name": "organizer", "term": term}
        await self.browser.request(
            "organizer:lookup", "GET", "/admin/event/ajax/lookup", params=params
        )

    async def export(self) -> None:
        start = date.today() + timedelta(days=self.rng.randrange(-400, 100))
        params = {
            "date_from": start.isoformat(),
            "date_to": (start + timedelta(days=14)).isoformat(),
        }
        if self.rng.random() < 0.5:
            params = {"organizer": str(self.rng.randint(1, self.world.users))}
        kind = self.rng.choice(["csv", "json"])
        response = await self.browser.request(
            "events:export", "GET", f"/admin/event/export/{kind}", params=params
        )
        body = response.text
        complete = body.startswith("id,") if kind == "csv" else body.endswith("]")
        if not complete:
            self.browser.stats.error("events:export", "truncated", body[-200:])

    async def dashboard(self) -> None:
        await self.browser.request("dashboard", "GET", "/admin/")

    async def edit_form_only(self) -> None:
        """Open an edit form and leave without saving (what staff mostly do)."""
        event_id = self.rng.randint(1, self.world.events)
        if event_id not in self.world.conflict_ids:
            await self.browser.request("event:edit-form", "GET", f"/admin/event/edit/{event_id}")

    # Writing

    def _event_form(self, title: str) -> dict[str, str]:
        day = date.today() + timedelta(days=self.rng.randrange(-30, 300))
        return {
            "title": title,
            "date_of": day.isoformat(),
            "social_status": self.rng.choice(["public", "private"]),
            "organizer": str(self.rng.randint(1, self.world.users)),
        }

    async def create(self) -> None:
        await self.browser.request("event:create-form", "GET", "/admin/event/create")
        self.saves += 1
        title = f"load {self.number}-{self.saves}"
        form = {**self._event_form(title), "save": "Save and continue editing"}
        response = await self.browser.request(
            "event:create", "POST", "/admin/event/create", data=form, expect=(302,)
        )
        match = re.search(r"/admin/event/edit/(\d+)", response.headers.get("location", ""))
        if not match:
            self.browser.stats.error("event:create", "302", "no edit URL after a create")
            return
        event_id = int(match.group(1))
        ledger = self.world.ledger
        if event_id in ledger.deleted:
            # SQLite hands out the id of a deleted newest row again (no AUTOINCREMENT).
            ledger.deleted.discard(event_id)
            ledger.reused.add(event_id)
        elif event_id in ledger.created:
            self.browser.stats.error("event:create", "302", f"id {event_id} acknowledged twice")
        ledger.created[event_id] = title
        self.mine.append(event_id)

    async def edit_mine(self) -> None:
        if not self.mine:
            return
        event_id = self.rng.choice(self.mine)
        page = await self.browser.request("event:edit-form", "GET", f"/admin/event/edit/{event_id}")
        self.saves += 1
        title = f"load {self.number}-{self.saves} (edited)"
        form = {**self._event_form(title), "version": form_version(page), "save": "Save"}
        ledger = self.world.ledger
        ledger.uncertain.add(event_id)
        await self.browser.request(
            "event:edit", "POST", f"/admin/event/edit/{event_id}", data=form, expect=(302,)
        )
        ledger.created[event_id] = title
        ledger.uncertain.discard(event_id)

    async def delete_mine(self) -> None:
        if not self.mine:
            return
        chosen = self.rng.sample(self.mine, min(len(self.mine), self.rng.randint(1, 3)))
        pks = ",".join(map(str, chosen))
        ledger = self.world.ledger
        ledger.uncertain.update(chosen)
        if self.rng.random() < 0.5:
            response = await self.browser.request(
                "events:delete", "DELETE", "/admin/event/delete", params={"pks": pks}
            )
            refused = "error=" in response.text
        else:
            await self.browser.request(
                "events:bulk-delete-page", "GET", "/admin/event/bulk/delete", params={"pks": pks}
            )
            response = await self.browser.request(
                "events:bulk-delete",
                "POST",
                "/admin/event/bulk/delete",
                data={"pks": pks},
                expect=(303,),
            )
            refused = "error=" in response.headers.get("location", "")
        if refused:
            self.browser.stats.error("events:delete", "refused", f"deleting my own {pks}")
            return
        for event_id in chosen:
            self.mine.remove(event_id)
            ledger.deleted.add(event_id)
            ledger.uncertain.discard(event_id)

    async def set_status_mine(self) -> None:
        if not self.mine:
            return
        chosen = self.rng.sample(self.mine, min(len(self.mine), 3))
        form = {"pks": ",".join(map(str, chosen)), "status": self.rng.choice(["public", "private"])}
        await self.browser.request(
            "events:set-status", "POST", "/admin/event/bulk/set-status", data=form, expect=(303,)
        )

    async def conflict(self) -> None:
        """Me and a colleague open the same event's form, then both save: one must win."""
        colleague = self.colleague
        free = [i for i in self.world.conflict_ids if i not in self.world.busy]
        if colleague is None or not free:
            return
        event_id = self.rng.choice(free)
        self.world.busy.add(event_id)
        try:
            await self._collide(colleague, event_id)
        finally:
            self.world.busy.discard(event_id)

    async def _collide(self, colleague: Browser, event_id: int) -> None:
        url = f"/admin/event/edit/{event_id}"
        pages = await asyncio.gather(
            self.browser.request("conflict:form", "GET", url),
            colleague.request("conflict:form", "GET", url),
        )
        self.saves += 1
        titles = (
            f"conflict {self.number}-{self.saves} A",
            f"conflict {self.number}-{self.saves} B",
        )
        forms = [
            {**self._event_form(title), "version": form_version(page), "save": "Save"}
            for title, page in zip(titles, pages, strict=True)
        ]
        self.world.ledger.conflict_rows.add(event_id)
        results = await asyncio.gather(
            self.browser.request("conflict:save", "POST", url, data=forms[0], expect=(302, 400)),
            colleague.request("conflict:save", "POST", url, data=forms[1], expect=(302, 400)),
            return_exceptions=True,
        )
        statuses: list[str] = []
        for result in results:
            stale = isinstance(result, httpx.Response) and (
                result.status_code != 400 or any(p in result.text for p in STALE_REFUSALS)
            )
            if isinstance(result, httpx.Response) and stale:
                statuses.append(str(result.status_code))
            elif isinstance(result, httpx.Response):
                # A 400 that is not the stale-form refusal (e.g. the database went away).
                statuses.append("failed")
                if DATABASE_REFUSED in result.text:
                    self.browser.stats.outage_refusals += 1
                self.browser.stats.error("conflict:save", "400", _text(result))
            else:
                statuses.append("failed")
        conflict = Conflict(event_id, titles, (statuses[0], statuses[1]))
        reader = self.world.check_row
        if reader is not None:
            conflict.title_after = await asyncio.to_thread(reader, event_id)
        self.world.ledger.conflicts.append(conflict)
