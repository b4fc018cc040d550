"""The hostile-input suite's shared parts (values, forms, the seeded world, the oracle). Hostile
input, generated: every form, filter, search, sort and selection fed what hypothesis
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

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final, Literal
from urllib.parse import quote_plus, unquote, unquote_plus, urlencode, urlsplit

from fastapi.testclient import TestClient
from httpx2 import Response
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from admin_app.emails import InvalidEmailError, clean_email
from admin_app.models import (
    EARLIEST_EVENT_DATE,
    EMAIL_MAX_LENGTH,
    LATEST_EVENT_DATE,
    TITLE_MAX_LENGTH,
    Event,
    SocialStatus,
    User,
)
from admin_app.web.edge.csrf import MAX_BODY_BYTES
from tests.snapshots import NO_COUNTS, Diff, Row, Snapshot, snapshot

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
    """An existing user's id, as staff would send it (or zero-padded, or in other digits), or
    their email as typed without the picker's script (padded, in capitals)."""

    index: int
    spelling: Literal["plain", "padded", "arabic", "email"] = "plain"


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
    "organizer": st.builds(
        UserRef, st.integers(0, 4), st.sampled_from(["plain", "padded", "email"])
    ),
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
            if value.spelling == "email":  # typed without the picker's script
                return f" {SEED_USERS[value.index].upper()} "
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
    users: Mapping[int, str],
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
    if not EARLIEST_EVENT_DATE <= day <= LATEST_EVENT_DATE:
        return refused("date before 1900 (or past 9999)")
    # Required: a form that leaves it out must not quietly make a private event public.
    status = text_field(form, "social_status")
    if status not in {s.value for s in SocialStatus}:
        return refused("missing or unknown social status")
    organizer = text_field(form, "organizer")
    if organizer is None:
        return refused("no organizer (or a file)")
    if is_id_text(organizer):
        organizer_id: int | None = int(organizer) if int(organizer) in users else None
    elif "@" in organizer and "\x00" not in organizer and len(organizer.strip()) <= 320:
        typed = organizer.strip().casefold()
        organizer_id = next((pk for pk, email in users.items() if email == typed), None)
    else:
        return refused("organizer is neither an id nor an email")
    if organizer_id is None:
        return refused("no such organizer")
    if current is not None and (reason := version_verdict(form, current["version"])):
        return refused(reason)
    saved = {"title": title, "date_of": day, "social_status": status}
    saved["organizer_id"] = organizer_id
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
        # Its audit entry and the new row's image (history), in one change set.
        assert changes.counts == {**NO_COUNTS, "audit_log": 1, "change_sets": 1, "row_images": 1}
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
    # Its audit entry and the row as it was (history), in one change set.
    assert changes.counts == {**NO_COUNTS, "audit_log": 1, "change_sets": 1, "row_images": 1}
