"""Two-factor login with TOTP (RFC 6238) and one-time recovery codes."""

import hashlib
import secrets
from datetime import datetime

import pyotp
import segno
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from admin_app import clock
from admin_app.models import RecoveryCode

ISSUER = "Events admin"
RECOVERY_CODE_COUNT = 10


def new_secret() -> str:
    return pyotp.random_base32()


def qr_code_data_uri(*, secret: str, email: str) -> str:
    """An SVG QR code for authenticator apps, as a data: URI (no external service sees it)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    return str(segno.make(uri, error="m").svg_data_uri(scale=5))


def totp_matches(secret: str, code: str, *, at: datetime | None = None) -> bool:
    # One step of clock drift either way (±30 s) is accepted.
    digits = code.replace(" ", "")
    moment = at or clock.now()
    return (
        digits.isascii()
        and digits.isdigit()
        and pyotp.TOTP(secret).verify(digits, for_time=moment, valid_window=1)
    )


def _digest(code: str) -> str:
    # Recovery codes carry 50 bits of randomness, so a plain hash is not brute-forceable.
    return hashlib.sha256(code.replace("-", "").replace(" ", "").lower().encode()).hexdigest()


def replace_recovery_codes(session: Session, *, staff_id: int) -> list[str]:
    """New codes for the account (the old ones stop working); shown to the user once."""
    codes = [
        f"{secrets.token_hex(5)[:5]}-{secrets.token_hex(5)[:5]}" for _ in range(RECOVERY_CODE_COUNT)
    ]
    session.execute(delete(RecoveryCode).where(RecoveryCode.staff_id == staff_id))
    session.add_all(RecoveryCode(staff_id=staff_id, code_hash=_digest(code)) for code in codes)
    return codes


def use_recovery_code(session: Session, *, staff_id: int, code: str) -> bool:
    """True (and the code is spent) when `code` is one of the account's unused codes."""
    row = session.scalars(
        select(RecoveryCode).where(
            RecoveryCode.staff_id == staff_id,
            RecoveryCode.code_hash == _digest(code),
            RecoveryCode.used_at.is_(None),
        )
    ).first()
    if row is None:
        return False
    row.used_at = clock.now()
    return True
