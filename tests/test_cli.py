"""The command line: each command works, and bad input is a clear message and exit code 1."""

import io
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from admin_app import audit, clock
from admin_app import main as main_module
from admin_app.cli import announce_initial_admin, main, prepare_database
from admin_app.config import Settings
from admin_app.history.images import DELETE, capture
from admin_app.models import ChangeSet, Event, RowImage, Staff, StaffRole, User
from admin_app.staff.passwords import verify_password
from tests import factories

PASSWORD = "a perfectly fine password"


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> pytest.MonkeyPatch:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", "test-only-signing-key-0123456789abcdef")
    return monkeypatch


def _with_stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


def test_migrate_reports_success(
    cli_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert "latest schema" in capsys.readouterr().out


def test_create_staff_reads_the_password_from_stdin(
    cli_env: pytest.MonkeyPatch, db: Session
) -> None:
    _with_stdin(cli_env, PASSWORD + "\n")
    assert main(["create-staff", " Editor@Example.org", "--role", "editor"]) == 0
    staff = db.scalars(select(Staff)).one()
    assert (staff.email, staff.role) == ("editor@example.org", StaffRole.EDITOR)
    assert verify_password(staff.password_hash, PASSWORD)


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        pytest.param("not-an-email", PASSWORD, "email", id="bad-email"),
        pytest.param("ok@example.org", "short", "at least 12 characters", id="weak-password"),
    ],
)
def test_create_staff_refuses_bad_input(
    cli_env: pytest.MonkeyPatch,
    db: Session,
    capsys: pytest.CaptureFixture[str],
    email: str,
    password: str,
    message: str,
) -> None:
    _with_stdin(cli_env, password + "\n")
    assert main(["create-staff", email, "--role", "viewer"]) == 1
    assert message in capsys.readouterr().err
    assert db.scalar(select(func.count(Staff.id))) == 0


def test_create_staff_refuses_a_duplicate(
    cli_env: pytest.MonkeyPatch, db: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(2):
        _with_stdin(cli_env, PASSWORD + "\n")
        exit_code = main(["create-staff", "dup@example.org", "--role", "editor"])
    assert exit_code == 1
    assert "already exists" in capsys.readouterr().err


def test_seed_demo_inserts_the_requested_rows(
    cli_env: pytest.MonkeyPatch, db: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed-demo", "--users", "30", "--events", "250", "--seed", "7"]) == 0
    assert db.scalar(select(func.count(User.id))) == 30
    assert db.scalar(select(func.count(Event.id))) == 250
    assert "250/250" in capsys.readouterr().out
    assert main(["seed-demo", "--users", "5", "--events", "0"]) == 0  # numbering continues
    assert db.scalar(select(func.count(User.id))) == 35


def test_seed_demo_refuses_negative_sizes(cli_env: pytest.MonkeyPatch, db: Session) -> None:
    assert main(["seed-demo", "--users", "-1"]) == 1


def test_an_unreachable_database_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(
        "DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/x?connect_timeout=1"
    )
    assert main(["migrate"]) == 1
    assert "cannot reach the database" in capsys.readouterr().err


def test_first_start_generates_and_prints_an_admin_password_once(
    settings: Settings, db: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    announce_initial_admin(prepare_database(settings))
    printed = capsys.readouterr().out
    password = printed.split("shown only this once: ")[1].strip()
    staff = db.scalars(select(Staff)).one()
    assert staff.email == "admin@example.com" and staff.role is StaffRole.ADMIN
    assert verify_password(staff.password_hash, password)
    announce_initial_admin(prepare_database(settings))
    assert capsys.readouterr().out == ""


def test_first_start_uses_admin_email_and_password_when_set(
    settings: Settings, db: Session
) -> None:
    configured = settings.model_copy(
        update={"admin_email": "boss@example.org", "admin_password": SecretStr(PASSWORD)}
    )
    admin = prepare_database(configured)
    assert admin is not None and admin.generated_password is None
    staff = db.scalars(select(Staff)).one()
    assert staff.email == "boss@example.org" and verify_password(staff.password_hash, PASSWORD)


def test_console_script_and_module_entry_show_help() -> None:
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-m", "admin_app", "--help"], capture_output=True, text=True, cwd=root
    )
    assert result.returncode == 0
    for command in ("migrate", "create-staff", "reset-password", "seed-demo", "serve"):
        assert command in result.stdout


def test_purge_deleted_removes_old_images_and_records_a_change_set(
    settings: Settings,
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    event = factories.make_event(db)
    with factories.acting_as(audit.Actor(staff_id=None, email="t@x", client="t")):
        change_set_id = audit.begin_change_set(db, kind="delete", target="event")
        assert change_set_id is not None
        capture(
            db,
            change_set_id=change_set_id,
            target="event",
            action=DELETE,
            ids=[event.id],
            version_bump=0,
        )
        db.commit()
    old = db.get(ChangeSet, change_set_id)
    assert old is not None
    old.at = clock.now() - timedelta(days=40)
    db.commit()
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    assert main(["purge-deleted", "--older-than", "30"]) == 0
    assert "Purged 1 deleted rows older than 30 days" in capsys.readouterr().out
    db.expire_all()
    assert db.scalars(select(RowImage)).all() == []
    purge = db.scalars(select(ChangeSet).where(ChangeSet.kind == "purge")).one()
    assert purge.staff_email.startswith("command line (") and purge.row_count == 1
    assert main(["purge-deleted", "--older-than", "-1"]) == 1


def test_create_staff_asks_for_a_role_instead_of_making_an_admin(
    cli_env: pytest.MonkeyPatch, db: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 27: a forgotten --role quietly made an admin.
    _with_stdin(cli_env, PASSWORD + "\n")
    with pytest.raises(SystemExit) as stopped:
        main(["create-staff", "someone@example.org"])
    assert stopped.value.code == 2 and "--role" in capsys.readouterr().err
    assert db.scalar(select(func.count(Staff.id))) == 0


def test_reset_password_from_stdin_or_generated_ends_the_sessions(
    cli_env: pytest.MonkeyPatch, db: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    staff = factories.make_staff(db, email="ops@example.org")
    version = staff.session_version
    _with_stdin(cli_env, "a brand new long password\n")
    assert main(["reset-password", "OPS@example.org"]) == 0
    db.expire_all()
    assert verify_password(staff.password_hash, "a brand new long password")
    assert staff.session_version == version + 1
    assert main(["reset-password", "ops@example.org", "--generate"]) == 0
    printed = capsys.readouterr().out.strip().splitlines()[-1]
    generated = printed.rsplit(": ", 1)[1]
    db.expire_all()
    assert verify_password(staff.password_hash, generated)
    assert main(["reset-password", "nobody@example.org", "--generate"]) == 1
    assert "There is no staff account" in capsys.readouterr().err


def test_seed_demo_help_describes_each_option_with_its_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["seed-demo", "--help"])
    assert "users to add (default: 1000)" in " ".join(capsys.readouterr().out.split())


def test_a_worker_runs_below_the_webs_priority_and_waits_longer_for_locks(
    cli_env: pytest.MonkeyPatch,
) -> None:
    """Jobs must not starve the panel (nice), and on SQLite one job's writes wait while
    another job's transaction runs (a longer lock wait than a page's)."""
    cli_env.setenv("JOBS_WORKER_NICENESS", "7")
    cli_env.setenv("JOBS_LOCK_WAIT_SECONDS", "45")
    niced: list[int] = []
    consumed: list[Settings] = []
    cli_env.setattr("admin_app.cli.os.nice", niced.append)

    class Consumer:
        def __init__(self, huey: object, **options: object) -> None:
            self.options = options

        def run(self) -> None:  # the real one runs until stopped
            consumed.append(created[-1])

    created: list[Settings] = []
    real_create_app = main_module.create_app

    def create_app(settings: Settings) -> object:
        created.append(settings)
        return real_create_app(settings)

    cli_env.setattr("huey.consumer.Consumer", Consumer)
    cli_env.setattr("admin_app.cli.create_app", create_app)
    assert main(["worker"]) == 0
    assert niced == [7]
    assert consumed and consumed[0].database_lock_wait_seconds == 45
