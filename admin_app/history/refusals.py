"""Why a restore, undo, revert or purge changed nothing (str() is the message for staff)."""


class Refusal(Exception):
    """Nothing was changed; the message says why and what to do."""


class StaleRevert(Refusal):
    """The record changed after the history page was opened (like a stale edit)."""
