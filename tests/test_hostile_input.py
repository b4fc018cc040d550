"""Hostile input, generated: every form, filter, search, sort and selection fed what hypothesis
makes up (random and huge text, NUL bytes, invalid UTF-8, files where text belongs, unknown enum
values, impossible dates, SQL fragments, absurd page numbers), on SQLite and PostgreSQL.

Each example checks three things:

- the answer is 2xx/3xx/4xx, never 5xx, and its body is a page or message, not a traceback or a
  raw Python/driver error;
- input the app must refuse changes nothing in the database (every row of users, events and
  staff compared, and the row counts of the audit log, login attempts and recovery codes);
- input the app must accept changes exactly what was asked (the oracle below restates each
  field's rule: title, date, status, organizer, email, row version, selection ids).

Examples per test scale with HYPOTHESIS_PROFILE: `ci` (default, about 1,800 cases per database),
`dev` (a tenth) or `nightly` (twenty times as many, random seeds). See docs/RELIABILITY.md.
"""

import csv
import gc
import io
import json
import os
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final, Literal
from urllib.parse import quote, quote_plus, unquote, unquote_plus, urlencode, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, Table, delete, insert
from sqlalchemy.orm import Session

from admin_app.csrf import MAX_BODY_BYTES
from admin_app.db import Base
from admin_app.emails import InvalidEmailError, clean_email, normalize_email
from admin_app.models import EMAIL_MAX_LENGTH, TITLE_MAX_LENGTH, Event, SocialStatus, User
from admin_app.throttle import MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_CLIENT
from tests import factories
from tests.conftest import ClientFactory
from tests.snapshots import Diff, Row, Snapshot, diff, snapshot

# --- How many examples --------------------------------------------------------------------------

PROFILES: Final = {"dev": 0.1, "ci": 1.0, "nightly": 20.0}
PROFILE: Final = os.environ.get("HYPOTHESIS_PROFILE", "ci")
if PROFILE not in PROFILES:
    raise ValueError(f"HYPOTHESIS_PROFILE={PROFILE!r}: choose one of {', '.join(PROFILES)}")


def examples(count: int) -> settings:
    """`count` examples in CI, scaled by the profile; CI runs are repeatable (derandomized)."""
    return settings(
        max_examples=max(5, round(count * PROFILES[PROFILE])),
        deadline=None,
        derandomize=PROFILE != "nightly",
        database=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
    )


# --- What the app must never show ---------------------------------------------------------------

# Text that only appears in a body when an exception leaked into the page.
INTERNALS: Final = (
    "Traceback (most recent call last)",
    'File "/',
    "invalid literal for int()",
    "sqlalchemy.exc",
    "psycopg",
    "sqlite3.",
    "(Background on this error",
    "object has no attribute",
    "NoneType",
    "Internal Server Error",
)
SCRIPT_PROBE: Final = "<script>alert('hostile')</script>"

# --- Hostile values -----------------------------------------------------------------------------

# Longest query string the test client sends (httpx refuses 65,536 characters and more).
MAX_QUERY_CHARS: Final = 60_000

SQL_FRAGMENTS: Final = (
    "' OR '1'='1",
    "1' OR 1=1 --",
    "'; DROP TABLE events; --",
    '"; DELETE FROM users; --',
    "1; UPDATE staff SET role='admin'",
    "') UNION SELECT email, password_hash FROM staff --",
    "%' AND 1=(SELECT COUNT(*) FROM staff) --",
    "\\'; SELECT pg_sleep(5); --",
    "1 AND SLEEP(5)",
    "%",
    "%%",
    "_",
    "\\",
    "\\%",
    "[a-z]*",
    "' || (SELECT version()) || '",
    "0x27",
    "$$",
    "/**/",
    "NULL",
)
# Text str.isdigit() accepts that int() may not (or reads as another number).
DIGITISH: Final = (
    "²",
    "³²¹",
    "1²",
    "٣",
    "\uff11\uff12",  # fullwidth digits
    "Ⅻ",
    "-1",
    "+1",
    "0",
    "00",
    "1_0",
    " 1",
    "1 ",
    "1.5",
    "1e9",
    "0x1",
    "2147483648",
    "9223372036854775808",
    "9" * 40,
)
SPECIALS: Final = (
    *DIGITISH,
    "",
    " ",
    "\t\r\n",
    "\x00",
    "a\x00b",
    "\x00\x00\x00",
    "\ufeff",
    "\u200b",
    "\u3000",
    "NaN",
    "Infinity",
    "-0",
    "-" + "9" * 40,
    "null",
    "None",
    "true",
    "[]",
    "{}",
    "[1,2]",
    '{"$ne": null}',
    "../../etc/passwd",
    "%00",
    "%ff%fe",
    "\udcff".encode("utf-8", "surrogatepass").decode("latin-1"),
    "é" * 3,
    "Z̴̡̛a̷l̶g̵o̸",
    "👩‍👩‍👧‍👦",
    "\u202eevil",
    SCRIPT_PROBE,
    "{{ 7*7 }}",
    "${7*7}",
    "Traceback (most recent call last)",
    "__all",
    "__class__",
    "public ",
    "PUBLIC",
    "Private",
    "secret",
    "2026-02-30",
    "2026-13-01",
    "2026-00-10",
    "0000-01-01",
    "10000-01-01",
    "-0001-01-01",
    "99999-12-31",
    "2026-1-1",
    "2026/01/01",
    "01-01-2026",
    "2026-01-01T00:00:00",
    "2026-01-01 ",
    "today",
)


@dataclass(frozen=True)
class Huge:
    """`size` times `char`: a value of up to megabytes, kept small in hypothesis' reports."""

    char: str
    size: int

    @property
    def text(self) -> str:
        return self.char * self.size


HUGE: Final = st.builds(
    Huge,
    st.sampled_from(["a", "9", " ", "\x00", "é", "'"]),
    st.sampled_from([300_000, 1_000_000, 2_200_000]),
)
LONG_TEXT: Final = st.builds(
    lambda size, char: char * size,
    st.sampled_from([201, 255, 321, 1000, 5000]),
    st.sampled_from(["a", "9", " ", "\x00", "é", "'", "%"]),
)
HOSTILE_TEXT: Final = st.one_of(
    st.sampled_from(SPECIALS),
    st.sampled_from(SQL_FRAGMENTS),
    st.text(max_size=40),
    st.text(st.characters(max_codepoint=0x7F), max_size=40),
    st.text(st.characters(categories=["Cc", "Zs", "Zl", "Zp", "Cf", "Mn"]), max_size=12),
    LONG_TEXT,
)
# In request bodies: megabytes too (URLs stay short; a server refuses huge ones before the app).
HOSTILE_VALUE: Final[st.SearchStrategy[str | Huge]] = st.one_of(HOSTILE_TEXT, HUGE)


# Markers resolved inside the test, where the database's ids and versions are known.
@dataclass(frozen=True)
class UserRef:
    """An existing user's id, as staff would send it (or zero-padded, or in other digits)."""

    index: int
    spelling: Literal["plain", "padded", "arabic"] = "plain"


@dataclass(frozen=True)
class VersionRef:
    """The row's current version plus `offset` (-1: a stale form, +1: from the future)."""

    offset: int = 0
    padded: bool = False


@dataclass(frozen=True)
class FileValue:
    """An uploaded file where the form expects text."""

    content: bytes


Value = str | UserRef | VersionRef | FileValue | Huge
Sent = str | FileValue
Encoding = Literal["urlencoded", "multipart"]
FormSpec = dict[str, Value]

ARABIC_DIGITS: Final = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FILES: Final = st.builds(FileValue, st.binary(max_size=64))
SAVE_BUTTONS: Final = st.sampled_from(
    ["Save", "Save and continue editing", "Save and add another", "Save as new", ""]
)

EVENT_VALID: Final[dict[str, st.SearchStrategy[Value]]] = {
    "title": st.one_of(
        st.text(min_size=1, max_size=60),
        st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=200),
    ),
    "date_of": st.dates().map(date.isoformat),
    "social_status": st.sampled_from([status.value for status in SocialStatus]),
    "organizer": st.builds(UserRef, st.integers(0, 4), st.sampled_from(["plain", "padded"])),
    "save": SAVE_BUTTONS,
}
EVENT_HOSTILE: Final[dict[str, st.SearchStrategy[Value]]] = {
    "title": st.one_of(HOSTILE_VALUE, st.text(min_size=TITLE_MAX_LENGTH + 1, max_size=240)),
    "date_of": st.one_of(HOSTILE_VALUE, st.dates().map(lambda d: d.strftime("%d/%m/%Y"))),
    "social_status": HOSTILE_VALUE,
    "organizer": st.one_of(
        HOSTILE_VALUE,
        st.sampled_from(DIGITISH),
        st.integers(-(2**63), 2**70).map(str),
        st.builds(UserRef, st.integers(0, 4), st.just("arabic")),
    ),
    "save": HOSTILE_VALUE,
}
USER_VALID: Final[dict[str, st.SearchStrategy[Value]]] = {
    "email": st.one_of(
        st.emails(),
        st.from_regex(r"\A[a-z][a-z0-9._+-]{0,20}@[a-z]{1,12}\.(org|com|example)\Z"),
    ),
    "save": SAVE_BUTTONS,
}
USER_HOSTILE: Final[dict[str, st.SearchStrategy[Value]]] = {
    "email": st.one_of(
        HOSTILE_VALUE,
        # The seeded addresses, as staff might retype them (duplicates).
        st.sampled_from(["ANN@example.org", " ann@example.org ", "Bob_Smith@Example.org"]),
        st.builds(lambda local: f"{local}@example.org", st.text(min_size=1, max_size=80)),
        st.builds(lambda n: "a" * n + "@example.org", st.integers(60, 400)),
    ),
    "save": HOSTILE_VALUE,
}
VERSION_VALID: Final = st.builds(VersionRef, st.just(0), st.booleans())
VERSION_HOSTILE: Final = st.one_of(
    st.builds(VersionRef, st.sampled_from([-1, 1, 5])),
    st.sampled_from(DIGITISH),
    HOSTILE_VALUE,
    st.integers(-(2**40), 2**40).map(str),
)
EXTRA_KEYS: Final = st.text(max_size=12).filter(
    lambda key: (
        key not in {"title", "date_of", "social_status", "organizer", "email", "version"}
        and key not in {"save", "csrf_token"}
    )
)


@st.composite
def forms(
    draw: st.DrawFn,
    valid: Mapping[str, st.SearchStrategy[Value]],
    hostile: Mapping[str, st.SearchStrategy[Value]],
) -> FormSpec:
    """A valid form, then up to three fields replaced by hostile values, files or removed."""
    form: FormSpec = {name: draw(strategy) for name, strategy in valid.items()}
    for name in draw(st.lists(st.sampled_from(sorted(valid)), unique=True, max_size=3)):
        replacement = draw(st.one_of(st.none(), hostile[name], FILES))
        if replacement is None:
            del form[name]
        else:
            form[name] = replacement
    form.update(draw(st.dictionaries(EXTRA_KEYS, HOSTILE_TEXT, max_size=2)))
    return form


def event_forms(*, with_version: bool = False) -> st.SearchStrategy[FormSpec]:
    valid, hostile = dict(EVENT_VALID), dict(EVENT_HOSTILE)
    if with_version:
        valid["version"], hostile["version"] = VERSION_VALID, VERSION_HOSTILE
    return forms(valid, hostile)


def user_forms(*, with_version: bool = False) -> st.SearchStrategy[FormSpec]:
    valid, hostile = dict(USER_VALID), dict(USER_HOSTILE)
    if with_version:
        valid["version"], hostile["version"] = VERSION_VALID, VERSION_HOSTILE
    return forms(valid, hostile)


ENCODINGS: Final = st.sampled_from(["urlencoded", "multipart"])

BOUNDARY: Final = "hostile-7f3a0c9e51b2"


def _part_name(name: str) -> bytes:
    # As browsers and httpx write it: quotes and control characters percent-escaped.
    escaped = "".join(f"%{ord(c):02X}" if c == '"' or ord(c) < 32 else c for c in name)
    return escaped.encode()


def multipart(form: Mapping[str, Sent]) -> bytes:
    """A multipart/form-data body; FileValue fields are sent as uploaded files."""
    parts = []
    for name, value in form.items():
        head = b'Content-Disposition: form-data; name="' + _part_name(name) + b'"'
        if isinstance(value, FileValue):
            head += b'; filename="upload.bin"\r\nContent-Type: application/octet-stream'
            content = value.content
        else:
            content = value.encode()
        parts.append(b"--" + BOUNDARY.encode() + b"\r\n" + head + b"\r\n\r\n" + content + b"\r\n")
    return b"".join(parts) + b"--" + BOUNDARY.encode() + b"--\r\n"


# --- The seeded world every test starts from ----------------------------------------------------

SEED_USERS: Final = (
    "ann@example.org",
    "bob_smith@example.org",
    "100%real@example.org",
    "o'neil@example.org",
    "zed@example.org",
)
# (title, day, status, organizer index): ASCII with the characters LIKE and SQL treat specially.
SEED_EVENTS: Final = (
    ("Jazz night", date(2026, 6, 1), SocialStatus.PUBLIC, 0),
    ("50% off sale", date(2025, 1, 15), SocialStatus.PRIVATE, 0),
    ("a_b testing day", date(2027, 3, 3), SocialStatus.PUBLIC, 1),
    ("O'Brien's quiz", date(2026, 6, 1), SocialStatus.PRIVATE, 1),
    ("back\\slash party", date(1999, 12, 31), SocialStatus.PUBLIC, 2),
    ("DROP TABLE events; --", date(2030, 1, 1), SocialStatus.PRIVATE, 0),
    ("jazz Brunch", date(2026, 6, 2), SocialStatus.PUBLIC, 2),
)


@dataclass
class World:
    client: TestClient
    engine: Engine
    db: Session
    dialect: str
    users: list[int]
    events: list[int]
    victims: Iterator[int] = field(default_factory=lambda: iter(range(10**6)))

    def snapshot(self) -> Snapshot:
        return snapshot(self.engine)

    def resolve(self, form: FormSpec, *, version: int | None = None) -> dict[str, Sent]:
        return {name: self.resolve_value(value, version=version) for name, value in form.items()}

    def resolve_value(self, value: Value, *, version: int | None = None) -> Sent:
        if isinstance(value, UserRef):
            user_id = str(self.users[value.index])
            if value.spelling == "padded":
                return "0" + user_id
            if value.spelling == "arabic":
                return user_id.translate(ARABIC_DIGITS)
            return user_id
        if isinstance(value, Huge):
            return value.text
        if isinstance(value, VersionRef):
            assert version is not None, "a version marker outside an edit"
            number = str(version + value.offset)
            return "00" + number if value.padded else number
        return value

    def send(self, url: str, form: Mapping[str, Sent], encoding: Encoding) -> Response:
        if encoding == "urlencoded" and not any(isinstance(v, FileValue) for v in form.values()):
            body = urlencode([(k, v) for k, v in form.items() if isinstance(v, str)]).encode()
            return self.post_raw(url, body, "application/x-www-form-urlencoded")
        return self.post_raw(url, multipart(form), f"multipart/form-data; boundary={BOUNDARY}")

    def post_raw(self, url: str, body: bytes, content_type: str | None) -> Response:
        headers = {"content-type": content_type} if content_type else {}
        return self.client.post(url, content=body, headers=headers, follow_redirects=False)

    def new_event(self) -> int:
        event = Event(
            title=f"Victim {next(self.victims)}",
            date_of=date(2026, 1, 1),
            organizer_id=self.users[0],
        )
        self.db.add(event)
        self.db.commit()
        return event.id

    def new_user(self) -> int:
        user = User(email=f"victim{next(self.victims)}@example.org")
        self.db.add(user)
        self.db.commit()
        return user.id


@pytest.fixture
def world(client: TestClient, db: Session, app: FastAPI) -> World:
    users = [User(email=email) for email in SEED_USERS]
    db.add_all(users)
    db.flush()
    events = [
        Event(title=title, date_of=day, social_status=status, organizer_id=users[owner].id)
        for title, day, status, owner in SEED_EVENTS
    ]
    db.add_all(events)
    db.commit()
    engine: Engine = app.state.engine
    return World(
        client=client,
        engine=engine,
        db=db,
        dialect=engine.dialect.name,
        users=[user.id for user in users],
        events=[event.id for event in events],
    )


# --- Checking an answer -------------------------------------------------------------------------


def _sent_text(response: Response) -> str:
    """What the request carried, decoded every way the app might echo it back."""
    request = response.request
    try:
        body = request.content
    except Exception:  # a streamed multipart body that was never read here
        body = b""
    decoded = body.decode("utf-8", "replace")
    url = str(request.url)
    return " ".join([unquote(url), unquote_plus(url), decoded, unquote_plus(decoded)])


def visible_text(response: Response, limit: int = 600) -> str:
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", response.text, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()[:limit]


def check_answer(response: Response, allowed: Iterator[int] | tuple[int, ...] = ()) -> None:
    """Never a 5xx; a readable body; one of `allowed` when given."""
    request = response.request
    what = f"{request.method} {unquote(str(request.url))[:300]}"
    status = response.status_code
    assert status < 500, f"{what} answered {status}: {visible_text(response)}"
    allowed = tuple(allowed)
    assert not allowed or status in allowed, (
        f"{what} answered {status}, expected one of {allowed}: {visible_text(response)}"
    )
    if status >= 400:
        assert response.text.strip(), f"{what} answered {status} with an empty body"
    body = response.text
    sent = _sent_text(response)
    for marker in INTERNALS:
        assert marker not in body or marker in sent, (
            f"{what} answered {status} with internal error text {marker!r}: "
            f"{visible_text(response)}"
        )
    if "text/html" in response.headers.get("content-type", ""):
        assert SCRIPT_PROBE not in body, f"{what} echoed a script tag unescaped"


def assert_unchanged(changes: Diff, response: Response, why: str) -> None:
    assert not changes.rows_touched() and not any(changes.counts.values()), (
        f"{response.request.method} {unquote(str(response.request.url))[:200]} answered "
        f"{response.status_code} ({why}) but changed the database: {changes.describe()}"
    )


def refusal_on(world: "World", url: str) -> str | None:
    """The refusal the list at `url` shows (the reason travels in the session, never the URL)."""
    assert "error=" not in url, url
    match = re.search(
        r'class="alert alert-danger" role="alert">([^<]*)<', world.client.get(url).text
    )
    return match.group(1) if match else None


def assert_safe_location(response: Response) -> None:
    location = response.headers.get("location", "")
    parts = urlsplit(location)
    assert parts.netloc in ("", "testserver") and not location.startswith(("//", "/\\")), (
        f"redirect off-site: {location!r}"
    )


# The largest id column value on PostgreSQL (INTEGER); a bigger number names no row.
LARGEST_ID: Final = 2_147_483_647


def is_id_text(raw: str) -> bool:
    """An id as the app reads one: plain ASCII digits ("²" and "٣" are not), at most LARGEST_ID."""
    return raw.isascii() and raw.isdigit() and len(raw) <= 10 and int(raw) <= LARGEST_ID


# --- The rules the app enforces, restated -------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """`saved`: the values a save must store (None: the input must be refused)."""

    saved: dict[str, Any] | None
    reason: str = ""


def refused(reason: str) -> Verdict:
    return Verdict(saved=None, reason=reason)


def text_field(form: Mapping[str, Sent], name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def version_verdict(form: Mapping[str, Sent], current: int) -> str | None:
    """Why the version refuses the save, or None when it matches the row's."""
    raw = text_field(form, "version")
    if raw is None or not is_id_text(raw):
        return f"version {form.get('version')!r} is not a version number"
    if int(raw) != current:
        return f"version {raw} is not the current {current}"
    return None


def event_verdict(
    form: Mapping[str, Sent],
    *,
    users: set[int],
    current: Row | None = None,
) -> Verdict:
    """What saving this event form must do (a create when `current` is None, else an edit)."""
    title = text_field(form, "title")
    if title is None:
        return refused("no title (or a file)")
    # NUL bytes are dropped (PostgreSQL cannot store them), then surrounding whitespace.
    title = title.replace("\x00", "").strip()
    if not title or len(title) > TITLE_MAX_LENGTH:
        return refused("blank or too long title")
    try:
        day = datetime.strptime(text_field(form, "date_of") or "", "%Y-%m-%d").date()
    except ValueError:
        return refused("no YYYY-MM-DD date")
    # Required: a form that leaves it out must not quietly make a private event public.
    status = text_field(form, "social_status")
    if status not in {s.value for s in SocialStatus}:
        return refused("missing or unknown social status")
    organizer = text_field(form, "organizer")
    if organizer is None or not is_id_text(organizer):
        return refused("organizer is not an id")
    if int(organizer) not in users:
        return refused("no such organizer")
    if current is not None and (reason := version_verdict(form, current["version"])):
        return refused(reason)
    saved = {"title": title, "date_of": day, "social_status": status}
    saved["organizer_id"] = int(organizer)
    return Verdict(saved=saved)


def user_verdict(
    form: Mapping[str, Sent], *, emails: dict[str, int], current: Row | None = None
) -> Verdict:
    raw = text_field(form, "email")
    if not raw:
        return refused("no email (or a file)")
    typed = raw.replace("\x00", "").strip()
    if len(typed) > EMAIL_MAX_LENGTH:
        return refused("email too long")
    try:
        email = clean_email(typed)
    except InvalidEmailError:
        return refused("not an email address")
    owner = emails.get(email)
    if owner is not None and (current is None or owner != current["id"]):
        return refused("duplicate email")
    if current is not None and (reason := version_verdict(form, current["version"])):
        return refused(reason)
    return Verdict(saved={"email": email})


def same_values(row: Row, expected: Mapping[str, Any]) -> bool:
    return all(_comparable(row[key]) == _comparable(value) for key, value in expected.items())


def _comparable(value: Any) -> Any:
    return value.value if isinstance(value, SocialStatus) else value


def body_too_large(response: Response) -> bool:
    try:
        return len(response.request.content) > MAX_BODY_BYTES
    except Exception:
        return False


# Starlette refuses a single form field larger than this (1 MiB) with a 400.
MAX_FIELD_BYTES: Final = 1024 * 1024


def field_too_large(form: Mapping[str, Sent], encoding: Encoding) -> bool:
    """Whether one field is over Starlette's limit, as it counts (encoded name + value)."""
    for name, value in form.items():
        raw = value.content if isinstance(value, FileValue) else value.encode()
        if encoding == "urlencoded":
            size = len(quote_plus(name)) + len(quote_plus(raw))
        else:
            size = len(raw)
        if size > MAX_FIELD_BYTES:
            return True
    return False


def on_the_wire(verdict: Verdict, form: Mapping[str, Sent], encoding: Encoding) -> Verdict:
    """The verdict, unless the request is refused before the form is read."""
    if field_too_large(form, encoding):
        return refused("a field over 1 MiB")
    return verdict


def check_save(
    response: Response,
    changes: Diff,
    verdict: Verdict,
    *,
    table: str,
    current: Row | None,
) -> None:
    """The save happened exactly as the verdict says, or nothing happened."""
    check_answer(response, (302, 400, 413))
    if response.status_code == 413:
        assert body_too_large(response), "413 for a body under the limit"
        assert_unchanged(changes, response, "body too large")
        return
    assert not body_too_large(response), "a body over the limit was read"
    if response.status_code == 400:
        assert verdict.saved is None, f"valid input refused: {visible_text(response)}"
        assert_unchanged(changes, response, "refused")
        return
    assert_safe_location(response)
    assert verdict.saved is not None, f"saved input that must be refused ({verdict.reason})"
    touched = changes.rows_touched()
    if current is None:
        assert touched == {table: 1} and len(changes.added[table]) == 1, changes.describe()
        (row,) = changes.added[table].values()
        assert same_values(row, verdict.saved), (row, verdict.saved)
        assert row["version"] == 1
        assert changes.counts == {"audit_log": 1, "login_attempts": 0, "recovery_codes": 0}
        return
    if same_values(current, verdict.saved):
        # Saving the values the row already holds: a no-op, or a version bump with its entry.
        assert set(touched) <= {table} and changes.counts["audit_log"] in (0, 1)
        return
    assert touched == {table: 1} and set(changes.changed[table]) == {current["id"]}, (
        changes.describe()
    )
    _, row = changes.changed[table][current["id"]]
    assert same_values(row, verdict.saved), (row, verdict.saved)
    assert row["version"] == current["version"] + 1
    assert changes.counts == {"audit_log": 1, "login_attempts": 0, "recovery_codes": 0}


# --- Forms: create and edit ---------------------------------------------------------------------

# Inputs that once broke a form are kept as fixed examples (@example), run on every run.
EVENT_FORM: Final[FormSpec] = {
    "title": "T",
    "date_of": "2026-01-01",
    "social_status": "public",
    "organizer": UserRef(0),
    "save": "Save",
}


# Every form the panel reads, with a file where text belongs (no panel form has a file field).
UPLOADS: Final[dict[str, tuple[str, dict[str, Sent]]]] = {
    "event create": (
        "/admin/event/create",
        {
            "title": "T",
            "date_of": "2026-01-01",
            "social_status": "public",
            "organizer": FileValue(b"1"),
        },
    ),
    "login": ("/admin/login", {"username": "x@example.org", "password": FileValue(b"pw")}),
    "bulk delete": ("/admin/event/bulk/delete", {"pks": "1", "cascade": FileValue(b"yes")}),
    "password change": ("/admin/account/password", {"current_password": FileValue(b"pw")}),
    "two-factor": ("/admin/account/mfa", {"action": FileValue(b"enable"), "code": "1"}),
}


@pytest.mark.parametrize("form_name", UPLOADS)
def test_uploaded_files_are_closed_after_the_request(world: World, form_name: str) -> None:
    """A file posted where text belongs counts as empty, and its temporary file is closed (a
    spooled file left to the garbage collector warns, which fails any test in this suite)."""
    path, form = UPLOADS[form_name]
    leaked: list[str] = []
    previous = sys.unraisablehook

    def hook(unraisable: "sys.UnraisableHookArgs") -> None:
        leaked.append(f"{unraisable.exc_value!r} in {unraisable.object!r}")

    sys.unraisablehook = hook
    try:
        response = world.send(path, form, "multipart")
        check_answer(response, (200, 303, 400))
        del response
        gc.collect()
    finally:
        sys.unraisablehook = previous
    assert not leaked, leaked


@examples(150)
@example(form={**EVENT_FORM, "organizer": "²"}, encoding="urlencoded")
@example(form={**EVENT_FORM, "title": FileValue(b"T")}, encoding="multipart")
@example(form={**EVENT_FORM, "date_of": FileValue(b"")}, encoding="multipart")
@given(form=event_forms(), encoding=ENCODINGS)
def test_creating_events_from_hostile_forms(
    world: World, form: FormSpec, encoding: Encoding
) -> None:
    sent = world.resolve(form)
    before = world.snapshot()
    response = world.send("/admin/event/create", sent, encoding)
    changes = diff(before, world.snapshot())
    verdict = event_verdict(sent, users=set(before.rows["users"]))
    verdict = on_the_wire(verdict, sent, encoding)
    check_save(response, changes, verdict, table="events", current=None)


@examples(150)
@example(form={**EVENT_FORM, "version": "²"}, target=0, encoding="urlencoded")
@example(
    form={**EVENT_FORM, "version": VersionRef(), "date_of": FileValue(b"")},
    target=0,
    encoding="multipart",
)
@given(form=event_forms(with_version=True), target=st.integers(0, 3), encoding=ENCODINGS)
def test_editing_events_from_hostile_forms(
    world: World, form: FormSpec, target: int, encoding: Encoding
) -> None:
    pk = world.events[target]
    before = world.snapshot()
    current = before.rows["events"][pk]
    sent = world.resolve(form, version=current["version"])
    response = world.send(f"/admin/event/edit/{pk}", sent, encoding)
    changes = diff(before, world.snapshot())
    verdict = event_verdict(sent, users=set(before.rows["users"]), current=current)
    verdict = on_the_wire(verdict, sent, encoding)
    check_save(response, changes, verdict, table="events", current=current)


def _emails(before: Snapshot) -> dict[str, int]:
    return {row["email"]: pk for pk, row in before.rows["users"].items()}


@examples(120)
@example(form={"email": FileValue(b"a@example.org"), "save": "Save"}, encoding="multipart")
@given(form=user_forms(), encoding=ENCODINGS)
def test_creating_users_from_hostile_forms(
    world: World, form: FormSpec, encoding: Encoding
) -> None:
    sent = world.resolve(form)
    before = world.snapshot()
    response = world.send("/admin/user/create", sent, encoding)
    changes = diff(before, world.snapshot())
    verdict = on_the_wire(user_verdict(sent, emails=_emails(before)), sent, encoding)
    check_save(response, changes, verdict, table="users", current=None)


@examples(120)
@example(form={"email": "new@example.org", "version": "²"}, target=4, encoding="urlencoded")
@given(form=user_forms(with_version=True), target=st.integers(0, 4), encoding=ENCODINGS)
def test_editing_users_from_hostile_forms(
    world: World, form: FormSpec, target: int, encoding: Encoding
) -> None:
    pk = world.users[target]
    before = world.snapshot()
    current = before.rows["users"][pk]
    sent = world.resolve(form, version=current["version"])
    response = world.send(f"/admin/user/edit/{pk}", sent, encoding)
    changes = diff(before, world.snapshot())
    verdict = user_verdict(sent, emails=_emails(before), current=current)
    verdict = on_the_wire(verdict, sent, encoding)
    check_save(response, changes, verdict, table="users", current=current)


@pytest.mark.parametrize("identity", ["event", "user"])
def test_a_form_for_a_deleted_row_never_saves_onto_a_new_row(world: World, identity: str) -> None:
    """A form opened before its row was deleted is late input: it must not land on whatever row
    is created next (SQLite hands out a deleted newest row's id again unless told not to)."""
    victim = world.new_event() if identity == "event" else world.new_user()
    page = world.client.get(f"/admin/{identity}/edit/{victim}")
    match = re.search(
        r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', page.text
    )
    assert match, "the edit form carries the row version"
    late_form: dict[str, Sent] = (
        {**world.resolve(EVENT_FORM), "title": "late edit"}
        if identity == "event"
        else {"email": "late-edit@example.org", "save": "Save"}
    )
    late_form["version"] = match.group(1) or match.group(2)
    deleted = world.client.delete(f"/admin/{identity}/delete", params={"pks": str(victim)})
    assert deleted.status_code == 200 and not refusal_on(world, deleted.text), deleted.text
    created = world.send(
        f"/admin/{identity}/create",
        {**world.resolve(EVENT_FORM), "title": "new row"}
        if identity == "event"
        else {"email": "new-row@example.org", "save": "Save"},
        "urlencoded",
    )
    check_answer(created, (302,))
    before = world.snapshot()
    response = world.send(f"/admin/{identity}/edit/{victim}", late_form, "urlencoded")
    changes = diff(before, world.snapshot())
    check_answer(response, (400, 404))
    assert_unchanged(changes, response, "a form for a deleted row")


# --- Raw bodies: invalid UTF-8, broken encodings, wrong content types ---------------------------

FORM_KEYS: Final = [b"title", b"date_of", b"social_status", b"organizer", b"email", b"version"]
RAW_BYTES: Final = st.one_of(
    st.binary(max_size=40),
    st.sampled_from(
        [b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\x00", b"%ff%fe%00", b"%", b"%z"]
    ),
    st.text(max_size=20).map(lambda s: s.encode()),
    st.text(max_size=20).map(lambda s: quote(s).encode()),
)
RAW_FIELD: Final = st.tuples(st.one_of(st.sampled_from(FORM_KEYS), RAW_BYTES), RAW_BYTES)
RAW_BODIES: Final = st.one_of(
    st.binary(max_size=400),
    st.lists(RAW_FIELD, max_size=8).map(lambda pairs: b"&".join(k + b"=" + v for k, v in pairs)),
    st.lists(RAW_FIELD, max_size=5).map(
        lambda pairs: (
            b"".join(
                b'--zz\r\nContent-Disposition: form-data; name="' + k + b'"\r\n\r\n' + v + b"\r\n"
                for k, v in pairs
            )
            + b"--zz--\r\n"
        )
    ),
)
CONTENT_TYPES: Final = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=latin-1",
        "multipart/form-data; boundary=zz",
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "application/json",
        "text/plain",
        None,
    ]
)
RAW_TARGETS: Final = st.sampled_from(
    ["event/create", "event/edit", "user/create", "user/edit", "login"]
)


def _valid_stored_event(row: Row, users: set[int]) -> bool:
    title = row["title"]
    return (
        bool(title)
        and "\x00" not in title
        and title == title.strip()
        and len(title) <= TITLE_MAX_LENGTH
        and _comparable(row["social_status"]) in {s.value for s in SocialStatus}
        and row["organizer_id"] in users
    )


@examples(200)
@given(target=RAW_TARGETS, body=RAW_BODIES, content_type=CONTENT_TYPES)
def test_raw_bodies_never_break_a_form(
    world: World, target: str, body: bytes, content_type: str | None
) -> None:
    urls = {
        "event/edit": f"/admin/event/edit/{world.events[0]}",
        "user/edit": f"/admin/user/edit/{world.users[3]}",
        "login": "/admin/login",
    }
    before = world.snapshot()
    response = world.post_raw(urls.get(target, f"/admin/{target}"), body, content_type)
    changes = diff(before, world.snapshot())
    check_answer(response, (200, 302, 400, 403, 413, 429))
    if response.status_code not in (200, 302):
        if target == "login" and response.status_code == 400:
            # A failed login is counted for throttling, and nothing else.
            assert not changes.rows_touched(), changes.describe()
            assert changes.counts["login_attempts"] in (0, 1)
            assert changes.counts["audit_log"] == changes.counts["recovery_codes"] == 0
            return
        assert_unchanged(changes, response, "refused")
        return
    assert target != "login", "a random body logged in"
    table = "events" if target.startswith("event") else "users"
    touched = changes.rows_touched()
    if target.endswith("create"):
        assert touched == {table: 1} and len(changes.added[table]) == 1, changes.describe()
        (row,) = changes.added[table].values()
    else:
        assert set(touched) <= {table}, changes.describe()
        if not touched:
            return
        ((_, row),) = changes.changed[table].values()
    if table == "events":
        assert _valid_stored_event(row, set(before.rows["users"])), row
    else:
        assert clean_email(row["email"]) == row["email"], row


# --- Login --------------------------------------------------------------------------------------

ADMIN_EMAIL: Final = "admin@example.org"
LOGIN_NAMES: Final = st.one_of(
    st.sampled_from(
        [ADMIN_EMAIL, " ADMIN@example.org ", "Admin@Example.Org", "admin@example.org\x00"]
    ),
    st.emails(),
    HOSTILE_VALUE,
)
LOGIN_PASSWORDS: Final = st.one_of(
    st.just(factories.STAFF_PASSWORD),
    st.just(factories.STAFF_PASSWORD + " "),
    HOSTILE_VALUE,
)
NEXT_PATHS: Final = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "/admin/event/list",
            "//evil.example/",
            "https://evil.example/admin/",
            "/\\evil.example",
            "/admin/\r\nSet-Cookie: x=1",
            "/admin/login",
            "javascript:alert(1)",
            "/admin/../../etc",
        ]
    ),
    HOSTILE_TEXT,
)
TOKENS: Final = st.one_of(st.sampled_from(["form", "header", "missing", "stale"]), HOSTILE_TEXT)


def _seed_failures(engine: Engine, *, account: str, client: int, for_account: int) -> None:
    attempts: Table = Base.metadata.tables["login_attempts"]
    now = datetime.now().astimezone()
    with engine.begin() as conn:
        conn.execute(delete(attempts))
        rows = [{"account": f"other{i}@example.org", "client": "testclient"} for i in range(client)]
        rows += [{"account": account, "client": "elsewhere"} for _ in range(for_account)]
        if rows:
            conn.execute(insert(attempts), [{**row, "attempted_at": now} for row in rows])


@pytest.fixture
def browsers(anonymous_factory: ClientFactory) -> tuple[TestClient, str]:
    """A browser that is not logged in, and the CSRF token of another browser's session."""
    return anonymous_factory(), factories.csrf_token(anonymous_factory())


@examples(150)
@given(
    username=LOGIN_NAMES,
    password=LOGIN_PASSWORDS,
    token=TOKENS,
    next_path=NEXT_PATHS,
    client_failures=st.sampled_from([0, 0, 0, 5, MAX_FAILURES_PER_CLIENT]),
    account_failures=st.sampled_from([0, 0, 0, 2, MAX_FAILURES_PER_ACCOUNT]),
)
def test_login_with_hostile_fields(
    world: World,
    browsers: tuple[TestClient, str],
    username: str | Huge,
    password: str | Huge,
    token: str,
    next_path: str | None,
    client_failures: int,
    account_failures: int,
) -> None:
    browser, other_token = browsers
    real_token = factories.csrf_token(browser)  # again: a successful login rotates it
    _seed_failures(
        world.engine, account=ADMIN_EMAIL, client=client_failures, for_account=account_failures
    )
    username = username.text if isinstance(username, Huge) else username
    password = password.text if isinstance(password, Huge) else password
    form = {"username": username, "password": password}
    headers = {}
    if token == "form":
        form["csrf_token"] = real_token
    elif token == "header":
        headers["X-CSRF-Token"] = real_token
    elif token == "stale":
        form["csrf_token"] = other_token
    elif token != "missing":
        form["csrf_token"] = token
    if next_path is not None:
        form["next"] = next_path
    before = world.snapshot()
    response = browser.post(
        "/admin/login",
        content=urlencode(form).encode(),
        follow_redirects=False,
        headers={"content-type": "application/x-www-form-urlencoded", **headers},
    )
    changes = diff(before, world.snapshot())
    check_answer(response, (302, 400, 403, 413, 429))
    assert not changes.rows_touched(), changes.describe()
    if body_too_large(response):
        check_answer(response, (413,))
        assert_unchanged(changes, response, "body too large")
        return
    if field_too_large(form, "urlencoded"):
        check_answer(response, (400, 403))
        assert_unchanged(changes, response, "a field over 1 MiB")
        return
    if token not in ("form", "header"):
        check_answer(response, (403,))
        assert_unchanged(changes, response, "CSRF refused")
        return
    account = normalize_email(username)[:EMAIL_MAX_LENGTH]
    right = account == ADMIN_EMAIL and password == factories.STAFF_PASSWORD
    throttled = client_failures >= MAX_FAILURES_PER_CLIENT or (
        account == ADMIN_EMAIL and account_failures >= MAX_FAILURES_PER_ACCOUNT
    )
    nul = "\x00" in account and world.dialect == "postgresql"
    if nul:
        # PostgreSQL cannot even look such an account up: refused as an invalid value.
        check_answer(response, (400, 429))
        assert not any(changes.counts.values()), changes.describe()
    elif throttled:
        check_answer(response, (429,))
        assert response.headers.get("retry-after", "").isdigit()
        assert not any(changes.counts.values()), changes.describe()
    elif right:
        check_answer(response, (302,))
        assert_safe_location(response)
        location = response.headers["location"]
        assert "login" not in urlsplit(location).path
        assert changes.counts["login_attempts"] == -account_failures
    else:
        check_answer(response, (400,))
        assert "Invalid credentials" in response.text
        assert changes.counts == {"audit_log": 0, "login_attempts": 1, "recovery_codes": 0}


# --- Lists: filters, search, sort, paging (and the read-only pages built on them) ---------------

LIST_VALID: Final[dict[str, st.SearchStrategy[str]]] = {
    "page": st.integers(1, 3).map(str),
    "pageSize": st.sampled_from(["25", "50", "100"]),
    "search": st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=8),
    "sortBy": st.sampled_from(["id", "title", "date_of", "social_status", "email", "created_at"]),
    "sort": st.sampled_from(["asc", "desc"]),
    "social_status": st.sampled_from(["public", "private", "__all"]),
    "date_from": st.dates().map(date.isoformat),
    "date_to": st.dates().map(date.isoformat),
    "organizer": st.sampled_from(["1", "2", "ann@example.org", " ANN@example.org", "__all"]),
}
LIST_HOSTILE: Final = st.one_of(
    HOSTILE_TEXT,
    st.sampled_from(DIGITISH),
    st.integers(-(2**70), 2**70).map(str),
)


@st.composite
def list_params(draw: st.DrawFn) -> tuple[list[tuple[str, str]], bool]:
    """Query parameters, and whether every one of them is valid for the events list."""
    params: list[tuple[str, str]] = []
    all_valid = True
    names = draw(st.lists(st.sampled_from(sorted(LIST_VALID)), unique=True, max_size=5))
    for name in names:
        if draw(st.booleans()):
            params.append((name, draw(LIST_VALID[name])))
        else:
            params.append((name, draw(LIST_HOSTILE)))
            all_valid = False
    for key, value in draw(st.lists(st.tuples(st.text(max_size=10), HOSTILE_TEXT), max_size=2)):
        params.append((key, value))
        all_valid = all_valid and key not in LIST_VALID and key not in {"pks", "scope"}
    return params, all_valid


READ_PAGES: Final = st.sampled_from(
    [
        "event/list",
        "user/list",
        "event/export/csv",
        "event/export/json",
        "user/export/csv",
        "event/bulk/delete",
        "event/bulk/set-status",
        "user/bulk/delete",
    ]
)
SORTABLE: Final = {
    "event": {"id", "title", "date_of", "social_status"},
    "user": {"id", "email", "created_at"},
}


@examples(300)
@example(page="event/list", query=([("organizer", "²")], False), selection="")
@example(page="event/export/csv", query=([("search", "a\x00")], False), selection="")
@example(page="event/export/json", query=([("organizer", "\x00")], False), selection="")
@example(page="event/bulk/delete", query=([("organizer", "²")], False), selection="filter")
@given(page=READ_PAGES, query=list_params(), selection=st.sampled_from(["", "filter", "pks"]))
def test_lists_filters_exports_and_confirm_pages_with_hostile_queries(
    world: World, page: str, query: tuple[list[tuple[str, str]], bool], selection: str
) -> None:
    params, all_valid = query
    identity, kind = page.split("/", 1)
    if kind.startswith("bulk"):
        params.append(("scope", "filter") if selection == "filter" else ("pks", "1,2"))
    if any(name == "sortBy" and value not in SORTABLE[identity] for name, value in params):
        all_valid = False
    before = world.snapshot()
    response = world.client.get(f"/admin/{page}?{urlencode(params)}", follow_redirects=False)
    changes = diff(before, world.snapshot())
    check_answer(response, (200, 302, 400))
    status = response.status_code
    if kind == "list" and all_valid:
        assert status in (200, 302), f"valid list query refused: {visible_text(response)}"
    if status == 302:
        assert kind == "list" and urlsplit(response.headers["location"]).path == f"/admin/{page}"
    if kind.startswith("export") and status == 200:
        body = response.text
        if kind.endswith("json"):
            rows = json.loads(body)
            assert isinstance(rows, list)
        else:
            header = next(csv.reader(io.StringIO(body)))
            assert header[0] == "id", body[:200]
        assert not changes.rows_touched()
        assert changes.counts == {"audit_log": 1, "login_attempts": 0, "recovery_codes": 0}
        return
    assert_unchanged(changes, response, "a read-only page")


SEARCH_TERMS: Final = st.one_of(
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=6),
    st.sampled_from([f for f in SQL_FRAGMENTS if f.isascii()]),
    st.sampled_from([title for title, *_ in SEED_EVENTS]).flatmap(
        lambda title: st.tuples(st.integers(0, len(title)), st.integers(0, len(title))).map(
            lambda bounds: title[min(bounds) : max(bounds)].upper()
        )
    ),
    st.sampled_from(SEED_USERS).map(lambda email: email[2:7]),
)


def _count_shown(response: Response) -> int:
    match = re.search(r"of\s+(\d+)\s+items", response.text)
    assert match, f"no row count on the list page: {visible_text(response)}"
    return int(match.group(1))


# Characters of a search term (docs/SECURITY.md); SQLite refuses LIKE patterns past 50,000 bytes.
SEARCH_LIMIT: Final = 1_000


@examples(150)
@example(term="x" * 50_001, identity="event")  # was a 503 "database unavailable" on SQLite
@example(term="%" * (SEARCH_LIMIT + 1), identity="user")
@given(term=SEARCH_TERMS, identity=st.sampled_from(["event", "user"]))
def test_search_is_literal_text_not_sql(world: World, term: str, identity: str) -> None:
    """Whatever is typed, the list finds the rows containing it (case-insensitive), no more; a
    term over the limit is a 400 that says so."""
    before = world.snapshot()
    response = world.client.get(f"/admin/{identity}/list", params={"search": term})
    if len(term) > SEARCH_LIMIT:
        check_answer(response, (400,))
        assert f"at most {SEARCH_LIMIT:,} characters" in response.text
        assert_unchanged(diff(before, world.snapshot()), response, "an overlong search")
        return
    check_answer(response, (200,))
    column = "title" if identity == "event" else "email"
    table = "events" if identity == "event" else "users"
    expected = [row for row in before.rows[table].values() if term.lower() in row[column].lower()]
    assert _count_shown(response) == len(expected), (term, [row[column] for row in expected])
    assert_unchanged(diff(before, world.snapshot()), response, "a search")


@examples(100)
@example(term="%", name="organizer")
@example(term="_", name="organizer")
@given(
    term=st.one_of(SEARCH_TERMS, HOSTILE_TEXT),
    name=st.one_of(st.just("organizer"), HOSTILE_TEXT),
)
def test_organizer_picker_with_hostile_terms(world: World, term: str, name: str) -> None:
    before = world.snapshot()
    response = world.client.get("/admin/event/ajax/lookup", params={"name": name, "term": term})
    check_answer(response, (200, 400))
    assert_unchanged(diff(before, world.snapshot()), response, "a lookup")
    if name != "organizer" or not term or len(term) > SEARCH_LIMIT:
        assert response.status_code == 400
        return
    assert response.status_code == 200, visible_text(response)
    found = {int(result["id"]) for result in response.json()["results"]}
    if term.isascii() and term.isprintable():
        # Typed text is matched literally: "%" finds addresses with a "%" in them, not all.
        matching = {
            pk for pk, row in before.rows["users"].items() if term.lower() in row["email"].lower()
        }
        assert found == matching, (term, found, matching)


# --- Paths and selections -----------------------------------------------------------------------

PATH_KEYS: Final = st.one_of(
    st.integers(0, 6).map(lambda i: f"#{i}"),
    st.integers(0, 6).map(lambda i: f"0#{i}"),
    st.sampled_from(DIGITISH),
    HOSTILE_TEXT,
    st.integers(-(2**70), 2**70).map(str),
)


@examples(150)
@example(identity="event", action="details", key="abc")
@example(identity="user", action="edit", key="9" * 20)
@example(identity="event", action="post-edit", key="x1")
@example(identity="event", action="details", key="#")  # text, not the "#n" marker (nightly find)
@given(
    identity=st.sampled_from(["event", "user"]),
    action=st.sampled_from(["details", "edit", "post-edit"]),
    key=PATH_KEYS,
)
def test_hostile_primary_keys_in_paths(world: World, identity: str, action: str, key: str) -> None:
    ids = world.events if identity == "event" else world.users
    # "#3" / "0#3" stand for an existing id (with a leading zero); generated text can be "#" too.
    if marker := re.fullmatch(r"(0?)#(\d)", key):
        prefix, index = marker.groups()
        key = prefix + str(ids[int(index) % len(ids)])
    number = _as_int(key)
    if action == "post-edit" and number is not None:
        key, number = "x" + key, None  # saving through a real row is the form tests' business
    url = f"/admin/{identity}/{'edit' if action == 'post-edit' else action}/{quote(key, safe='')}"
    before = world.snapshot()
    if action == "post-edit":
        response = world.client.post(url, data={"title": "x", "email": "x@example.org"})
    else:
        response = world.client.get(url, follow_redirects=False)
    changes = diff(before, world.snapshot())
    check_answer(response, (200, 400, 404))
    assert_unchanged(changes, response, "a details page or an edit of a missing row")
    exists = number is not None and number in ids
    if exists and key == str(number):
        assert response.status_code == 200, visible_text(response)
    if not exists:
        assert response.status_code in (400, 404), visible_text(response)


def _as_int(key: str) -> int | None:
    try:
        return int(key)
    except ValueError:
        return None


SELECTION_TOKENS: Final = st.one_of(
    st.just("VICTIM"),
    st.just("0VICTIM"),
    st.just("GHOST"),
    st.sampled_from(DIGITISH),
    HOSTILE_TEXT,
)


@st.composite
def selections(draw: st.DrawFn) -> list[str]:
    return draw(st.lists(SELECTION_TOKENS, max_size=4))


def _pks(tokens: list[str], victim: int) -> str:
    ghost = "999999998"
    parts = [token.replace("VICTIM", str(victim)).replace("GHOST", ghost) for token in tokens]
    return ",".join(parts)


def selection_ids(raw: str) -> set[int] | None:
    """The ids a `pks` value selects, or None when it must be refused (as parse_pks says)."""
    parts = [part for part in raw.split(",") if part]
    if not parts or not all(is_id_text(part) for part in parts):
        return None
    return {int(part) for part in parts}


def _expect_deleted(changes: Diff, table: str, ids: set[int], existing: set[int]) -> None:
    gone = ids & existing
    assert set(changes.removed[table]) == gone, changes.describe()
    assert set(changes.rows_touched()) <= {table}, changes.describe()
    assert changes.counts["audit_log"] == 1


@examples(120)
@example(identity="event", tokens=["²"])
# Nightly finds: an id beyond PostgreSQL's INTEGER; a selection too long for the client to send.
@example(identity="event", tokens=["2147483648"])
@example(identity="event", tokens=["é" * 1000, "é" * 5000, "é" * 5000])
@given(identity=st.sampled_from(["event", "user"]), tokens=selections())
def test_delete_with_hostile_selections(world: World, identity: str, tokens: list[str]) -> None:
    table = "events" if identity == "event" else "users"
    victim = world.new_event() if identity == "event" else world.new_user()
    raw = _pks(tokens, victim)
    # The HTTP client refuses a query over 64 KiB (servers cap request lines lower still).
    assume(len(quote_plus(raw)) < MAX_QUERY_CHARS)
    before = world.snapshot()
    response = world.client.delete(f"/admin/{identity}/delete", params={"pks": raw})
    changes = diff(before, world.snapshot())
    check_answer(response, (200, 400))
    ids = selection_ids(raw)
    if ids is None:
        assert response.status_code == 400, f"{raw!r} is not a selection: {response.text}"
        assert_unchanged(changes, response, "not a selection")
        return
    assert response.status_code == 200, visible_text(response)
    blocked = table == "users" and any(
        event["organizer_id"] in ids for event in before.rows["events"].values()
    )
    if blocked:
        assert refusal_on(world, response.text), response.text
        assert_unchanged(changes, response, "users who organize events")
        return
    assert not refusal_on(world, response.text), response.text
    _expect_deleted(changes, table, ids, set(before.rows[table]))


@examples(120)
@example(kind="set-status", tokens=["VICTIM", "²"], status="private", cascade=None)
@given(
    kind=st.sampled_from(["set-status", "delete"]),
    tokens=selections(),
    status=st.one_of(st.sampled_from(["public", "private"]), HOSTILE_VALUE),
    cascade=st.one_of(st.none(), st.just("yes"), HOSTILE_TEXT),
)
def test_bulk_actions_with_hostile_forms(
    world: World, kind: str, tokens: list[str], status: str | Huge, cascade: str | None
) -> None:
    status = status.text if isinstance(status, Huge) else status
    victim = world.new_event()
    raw = _pks(tokens, victim)
    form = {"pks": raw, "status": status}
    if cascade is not None:
        form["cascade"] = cascade
    before = world.snapshot()
    response = world.send(f"/admin/event/bulk/{kind}", form, "urlencoded")
    changes = diff(before, world.snapshot())
    check_answer(response, (303, 400, 413))
    ids = selection_ids(raw)
    valid_status = status in {s.value for s in SocialStatus}
    too_large = body_too_large(response) or field_too_large(form, "urlencoded")
    if ids is None or (kind == "set-status" and not valid_status) or too_large:
        assert response.status_code in (400, 413), visible_text(response)
        assert_unchanged(changes, response, "refused")
        return
    assert response.status_code == 303, visible_text(response)
    assert_safe_location(response)
    assert not refusal_on(world, response.headers["location"])
    existing = set(before.rows["events"])
    if kind == "delete":
        _expect_deleted(changes, "events", ids, existing)
        return
    assert set(changes.changed["events"]) == ids & existing, changes.describe()
    for pk, (old, new) in changes.changed["events"].items():
        assert _comparable(new["social_status"]) == status
        assert new["version"] == old["version"] + 1, (pk, old, new)
    assert set(changes.rows_touched()) <= {"events"}
    assert changes.counts["audit_log"] == 1
