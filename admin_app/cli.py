"""`python -m admin_app <command>`: migrate, create-staff, reset-password, seed-demo,
purge-deleted, serve, worker."""

import argparse
import getpass
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Sequence

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from admin_app import audit
from admin_app.config import Settings
from admin_app.db import engine_for, make_session_factory
from admin_app.emails import InvalidEmailError
from admin_app.history.purge import purge_deleted
from admin_app.main import create_app
from admin_app.migrate import upgrade_to_head
from admin_app.models import StaffRole
from admin_app.seed import seed_demo
from admin_app.staff.accounts import (
    InitialAdmin,
    StaffError,
    create_staff,
    ensure_initial_admin,
    reset_password,
)


class CommandError(Exception):
    """A command failed for a reason the operator can fix; printed without a traceback."""


def _migrate(settings: Settings, _args: argparse.Namespace) -> None:
    upgrade_to_head(settings)
    print(f"Database {_safe_url(settings)} is at the latest schema.")


def prepare_database(settings: Settings) -> InitialAdmin | None:
    """What a server start does before serving: migrate, then make sure someone can log in."""
    upgrade_to_head(settings)
    engine = engine_for(settings)
    try:
        with make_session_factory(engine)() as session:
            password = (
                settings.admin_password.get_secret_value() if settings.admin_password else None
            )
            return ensure_initial_admin(session, email=settings.admin_email, password=password)
    finally:
        engine.dispose()


def _read_password() -> str:
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The passwords do not match.")
        return password
    return sys.stdin.readline().rstrip("\r\n")


def _create_staff(settings: Settings, args: argparse.Namespace) -> None:
    password = _read_password()
    engine = engine_for(settings)
    try:
        with make_session_factory(engine)() as session:
            staff = create_staff(session, email=args.email, password=password, role=args.role)
            print(f"Created {staff.role.value} account {staff.email}.")
    except (StaffError, InvalidEmailError) as exc:
        raise CommandError(str(exc)) from exc
    finally:
        engine.dispose()


def _reset_password(settings: Settings, args: argparse.Namespace) -> None:
    generated = secrets.token_urlsafe(18) if args.generate else None
    password = generated or _read_password()
    engine = engine_for(settings)
    # Audited like a change from the panel, in the name of the machine's user and host.
    audit.set_actor(audit.cli_actor(f"{getpass.getuser()}@{socket.gethostname()}"))
    try:
        with make_session_factory(engine)() as session:
            staff = reset_password(session, email=args.email, password=password)
            print(f"Set a new password for {staff.email}; its sessions have ended.")
            if generated:
                print(f"The new password, shown only this once: {generated}")
    except StaffError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        audit.set_actor(None)
        engine.dispose()


def _seed_demo(settings: Settings, args: argparse.Namespace) -> None:
    if args.users < 0 or args.events < 0:
        raise CommandError("--users and --events must be zero or more.")

    def progress(what: str, done: int, total: int) -> None:
        filled = done * 30 // max(total, 1)
        print(f"\r{what:>6} [{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,}", end="")
        if done == total:
            print()

    engine = engine_for(settings)
    try:
        seed_demo(engine, users=args.users, events=args.events, progress=progress, seed=args.seed)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        engine.dispose()
    print(f"Added {args.users:,} users and {args.events:,} events.")


def _purge_deleted(settings: Settings, args: argparse.Namespace) -> None:
    days = settings.deleted_retention_days if args.older_than is None else args.older_than
    if days < 0:
        raise CommandError("--older-than takes a number of days, 0 or more")
    engine = engine_for(settings)
    # Audited like a purge from the panel, in the name of the machine's user and host.
    audit.set_actor(audit.cli_actor(f"{getpass.getuser()}@{socket.gethostname()}"))
    try:
        with make_session_factory(engine)() as session, session.begin():
            removed = purge_deleted(session, older_than_days=days)
    finally:
        audit.set_actor(None)
        engine.dispose()
    print(f"Purged {removed} deleted rows older than {days} days.")


def announce_initial_admin(admin: InitialAdmin | None) -> None:
    if admin is None:
        return
    print(f"Created the first admin account: {admin.email}")
    if admin.generated_password:
        print(f"Its password, shown only this once: {admin.generated_password}")


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    announce_initial_admin(prepare_database(settings))
    served = settings.model_copy(
        update={"host": args.host or settings.host, "port": args.port or settings.port}
    )
    # A newcomer's export still completes with nothing else started: one worker process beside
    # the server, stopped with it (JOBS_EMBEDDED_WORKER=false where workers run on their own).
    worker = (
        subprocess.Popen(
            [sys.executable, "-m", "admin_app", "worker"], preexec_fn=_stop_with_parent
        )
        if settings.jobs_embedded_worker
        else None
    )
    try:
        # The app checks the Host header against the port it is really served on; proxy
        # headers are its to believe (FORWARDED_ALLOW_IPS), not uvicorn's loopback default.
        uvicorn.run(create_app(served), host=served.host, port=served.port, proxy_headers=False)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)


def _stop_with_parent() -> None:
    """In the embedded worker, before it starts: the kernel sends it SIGTERM when the server
    process ends, however it ends (uvicorn re-raises the signal that stopped it, so no
    `finally` of ours runs; a SIGKILL runs nothing at all)."""
    if sys.platform.startswith("linux"):
        import ctypes

        set_parent_death_signal = 1  # PR_SET_PDEATHSIG
        ctypes.CDLL(None, use_errno=True).prctl(set_parent_death_signal, signal.SIGTERM)


def _worker(settings: Settings, args: argparse.Namespace) -> None:
    from huey.consumer import Consumer

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # Below the web's CPU priority: where workers share a machine with the panel, a job at full
    # speed must not starve the pages (bench.jobs measures the list while two workers work).
    os.nice(settings.jobs_worker_niceness)
    # A job may wait for a lock longer than a page may (SQLite has one writer: an export's next
    # chunk waits while a restore's transaction runs); a page answers 503 sooner.
    settings = settings.model_copy(
        update={"database_lock_wait_seconds": settings.jobs_lock_wait_seconds}
    )
    # The app registers the kinds of work (an export rebuilds its list through the list's view).
    app = create_app(settings)
    # Each worker process opens connections of its own after the fork.
    app.state.engine.dispose()
    kind = "process" if args.processes > 1 else "thread"
    # SQLite's queue is polled: at most a second between looks (PostgreSQL's is woken by NOTIFY).
    Consumer(app.state.jobs.huey, workers=args.processes, worker_type=kind, max_delay=1.0).run()


def _safe_url(settings: Settings) -> str:
    return make_url(settings.database_url).render_as_string(hide_password=True)


ROLES_HELP = (
    "admin: everything, staff accounts and the audit log included; editor: change users and "
    "events, undo and restore; viewer: read only"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="events-admin", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="upgrade the database to the latest schema")
    staff = commands.add_parser(
        "create-staff", help="add a staff account (password typed twice, or one line on stdin)"
    )
    staff.add_argument("email", help="the account's email, its login")
    # No default: a forgotten --role once made an admin without saying so.
    staff.add_argument(
        "--role", type=StaffRole, choices=list(StaffRole), required=True, help=ROLES_HELP
    )
    reset = commands.add_parser(
        "reset-password",
        help="give a staff account a new password and end its sessions",
        description="The new password is typed twice, read as one line on stdin, or generated "
        "(--generate) and printed once.",
    )
    reset.add_argument("email", help="the account's email")
    reset.add_argument("--generate", action="store_true", help="make a password and print it")
    seed = commands.add_parser(
        "seed-demo",
        help="insert realistic fake users and events",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    seed.add_argument("--users", type=int, default=1_000, help="users to add")
    seed.add_argument("--events", type=int, default=10_000, help="events to add")
    seed.add_argument("--seed", type=int, default=None, help="random seed, for repeatable data")
    purge = commands.add_parser(
        "purge-deleted", help="remove deleted rows past the retention period for good"
    )
    purge.add_argument(
        "--older-than",
        type=int,
        default=None,
        metavar="DAYS",
        help="default: DELETED_RETENTION_DAYS (30)",
    )
    worker = commands.add_parser(
        "worker",
        help="run background jobs (exports) until stopped",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    worker.add_argument(
        "--processes", type=int, default=1, help="worker processes (one job each at a time)"
    )
    serve = commands.add_parser(
        "serve", help="migrate, then serve the panel with uvicorn (and one embedded worker)"
    )
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    return parser


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], None]] = {
    "migrate": _migrate,
    "create-staff": _create_staff,
    "reset-password": _reset_password,
    "seed-demo": _seed_demo,
    "purge-deleted": _purge_deleted,
    "serve": _serve,
    "worker": _worker,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
        COMMANDS[args.command](settings, args)
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OperationalError as exc:
        print(f"error: cannot reach the database: {exc.orig}", file=sys.stderr)
        return 1
    except ValueError as exc:  # settings refused (e.g. a placeholder SECRET_KEY in production)
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
