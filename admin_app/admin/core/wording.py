"""Words staff read instead of codes: counted words ("1 event", "3,000 events") and the names of
actions, change-set kinds and models (one rule for every message and page)."""

from typing import Protocol


class Named(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def name_plural(self) -> str: ...


def plural(count: int, one: str, many: str) -> str:
    """The word for this count: plural(1, "event", "events") is "event"."""
    return one if count == 1 else many


def counted(count: int, view: Named) -> str:
    """ "1 event", "12 events": a count of a view's rows, in its own words."""
    return f"{count:,} {plural(count, view.name.lower(), view.name_plural.lower())}"


# Audit actions and change-set kinds as staff read them; the codes stay in rows and addresses.
CODE_WORDS = {
    "create": "Create",
    "update": "Update",
    "edit": "Edit",
    "delete": "Delete",
    "bulk_delete": "Bulk delete",
    "delete_cascade": "Delete with their events",
    "set_status": "Set social status",
    "batch_edit": "Batch edit",
    "restore": "Restore",
    "revert": "Revert",
    "undo": "Undo",
    "purge": "Purge",
    "export": "Export",
    "import": "Import",
    "password": "Password change",
    "user": "User",
    "event": "Event",
    "staff": "Staff",
    "saved-view": "Saved view",
}
AUDIT_ACTIONS = [
    "create",
    "update",
    "delete",
    "set_status",
    "batch_edit",
    "restore",
    "revert",
    "undo",
    "purge",
    "export",
    "import",
    "password",
]
CHANGE_SET_KINDS = [
    "create",
    "edit",
    "delete",
    "bulk_delete",
    "delete_cascade",
    "set_status",
    "batch_edit",
    "restore",
    "revert",
    "undo",
    "purge",
    "export",
    "import",
]
MODELS = ["user", "event", "staff", "saved-view"]


def in_words(code: object) -> str:
    """A code as staff read it: "batch_edit" is "Batch edit"; an unknown one loses its
    underscores rather than showing them."""
    text = str(code or "")
    return CODE_WORDS.get(text, text.replace("_", " ").replace("-", " ").capitalize())


def word_choices(codes: list[str]) -> list[tuple[str, str]]:
    """A filter's (value, label) pairs for these codes."""
    return [(code, in_words(code)) for code in codes]
