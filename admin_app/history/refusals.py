"""Why a restore, undo, revert or purge changed nothing (str() is the message for staff), and the
one rule every way of bringing rows back applies: whose change set it is, and how large."""

from dataclasses import dataclass

from admin_app.models import ChangeSet

# Another staff member's change set this large is undone or restored by an admin only
# (docs/SECURITY.md): an editor's slip, or a hijacked editor account, cannot bring back or undo
# an admin's whole-table work.
LARGE_CHANGE_SET = 1_000


class Refusal(Exception):
    """Nothing was changed; the message says why and what to do."""


class StaleRevert(Refusal):
    """The record changed after the history page was opened (like a stale edit)."""


@dataclass(frozen=True)
class Acting:
    """Who asks to bring rows back: their staff id, and whether they are an admin."""

    staff_id: int | None
    is_admin: bool


def not_theirs(change_set: ChangeSet, acting: Acting, *, verb: str) -> str | None:
    """Why `acting` may not `verb` ("undo", "restore rows of") this change set, or None."""
    theirs = change_set.staff_id is not None and change_set.staff_id == acting.staff_id
    if acting.is_admin or theirs or change_set.row_count <= LARGE_CHANGE_SET:
        return None
    return (
        f"Change set #{change_set.id} changed {change_set.row_count:,} rows and was made by "
        f"{change_set.staff_email}: only they or an admin may {verb} it."
    )
