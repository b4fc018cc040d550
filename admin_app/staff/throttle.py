"""Login throttling: failed attempts counted per account and per client address, in the database."""

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from admin_app import clock
from admin_app.models import CLIENT_MAX_LENGTH, LoginAttempt

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_CLIENT = 20


def _wait_seconds(failures: list[datetime], limit: int, now: datetime) -> int:
    """Seconds until fewer than `limit` of these (ascending) failures are inside the window."""
    if len(failures) < limit:
        return 0
    frees_at = failures[len(failures) - limit] + WINDOW
    return max(1, int((frees_at - now).total_seconds() + 0.999))


def _recent(
    session: Session, column: InstrumentedAttribute[str], value: str, since: datetime
) -> list[datetime]:
    return list(
        session.scalars(
            select(LoginAttempt.attempted_at)
            .where(column == value, LoginAttempt.attempted_at > since)
            .order_by(LoginAttempt.attempted_at)
        )
    )


def retry_after(session: Session, *, account: str, client: str) -> int:
    """Seconds this account/client must wait before trying again; 0 when it may try now."""
    now = clock.now()
    since = now - WINDOW
    by_account = _recent(session, LoginAttempt.account, account, since)
    by_client = _recent(session, LoginAttempt.client, client[:CLIENT_MAX_LENGTH], since)
    return max(
        _wait_seconds(by_account, MAX_FAILURES_PER_ACCOUNT, now),
        _wait_seconds(by_client, MAX_FAILURES_PER_CLIENT, now),
    )


def record_failure(session: Session, *, account: str, client: str) -> None:
    now = clock.now()
    session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at <= now - WINDOW))
    session.add(LoginAttempt(account=account, client=client[:CLIENT_MAX_LENGTH], attempted_at=now))
    session.commit()


def forget_failures(session: Session, *, account: str) -> None:
    """A successful login resets the account's counter (not the client's)."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.account == account))
    session.commit()
