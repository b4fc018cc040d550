"""How each staff member likes the panel: the columns of each list, the theme, whether
single-key shortcuts are on (WCAG 2.1.4 lets a person switch them off), and the import mappings
they saved."""

from dataclasses import dataclass, field, replace
from typing import Any, Final

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from admin_app.models import Staff

# "auto" follows the system's light or dark setting.
THEMES: Final = ("auto", "light", "dark")
# Saved import mappings: per list, at most this many, under names at most this long.
MAPPINGS_KEPT: Final = 20
MAPPING_NAME_MAX_LENGTH: Final = 80
# List identity -> mapping name -> {header as typed, case-folded: field name}.
ImportMappings = dict[str, dict[str, dict[str, str]]]


@dataclass(frozen=True)
class Preferences:
    # List identity -> its columns in the order shown (absent: the list's own columns).
    columns: dict[str, list[str]] = field(default_factory=dict)
    theme: str = "auto"
    single_key_shortcuts: bool = True
    import_mappings: ImportMappings = field(default_factory=dict)

    @classmethod
    def from_stored(cls, stored: Any) -> "Preferences":
        """Whatever the column holds (it is JSON written by this module, or an empty object)."""
        stored = stored if isinstance(stored, dict) else {}
        columns = stored.get("columns")
        theme = stored.get("theme")
        return cls(
            columns={
                str(identity): [str(name) for name in names]
                for identity, names in (columns.items() if isinstance(columns, dict) else [])
                if isinstance(names, list)
            },
            theme=theme if theme in THEMES else "auto",
            single_key_shortcuts=stored.get("single_key_shortcuts") is not False,
            import_mappings=_mappings(stored.get("import_mappings")),
        )

    def stored(self) -> dict[str, Any]:
        return {
            "columns": self.columns,
            "theme": self.theme,
            "single_key_shortcuts": self.single_key_shortcuts,
            "import_mappings": self.import_mappings,
        }


def _mappings(stored: Any) -> ImportMappings:
    if not isinstance(stored, dict):
        return {}
    return {
        str(identity): {
            str(name): {str(k): str(v) for k, v in mapping.items()}
            for name, mapping in named.items()
            if isinstance(mapping, dict)
        }
        for identity, named in stored.items()
        if isinstance(named, dict)
    }


def load(session: Session, *, staff_id: int) -> Preferences:
    return Preferences.from_stored(
        session.scalar(select(Staff.preferences).where(Staff.id == staff_id))
    )


def _save(session: Session, *, staff_id: int, preferences: Preferences) -> None:
    session.execute(
        update(Staff).where(Staff.id == staff_id).values(preferences=preferences.stored())
    )
    session.commit()


def choose_columns(
    session: Session, *, staff_id: int, identity: str, columns: list[str] | None
) -> None:
    """Remember the columns this person sees on one list (None: the list's own again)."""
    current = load(session, staff_id=staff_id)
    chosen = {key: value for key, value in current.columns.items() if key != identity}
    if columns is not None:
        chosen[identity] = columns
    _save(session, staff_id=staff_id, preferences=replace(current, columns=chosen))


def choose_display(
    session: Session, *, staff_id: int, theme: str, single_key_shortcuts: bool
) -> None:
    """Remember the theme and whether single-key shortcuts are on (theme must be in THEMES)."""
    if theme not in THEMES:
        raise ValueError(f"unknown theme {theme!r}")
    current = load(session, staff_id=staff_id)
    _save(
        session,
        staff_id=staff_id,
        preferences=replace(current, theme=theme, single_key_shortcuts=single_key_shortcuts),
    )


def save_import_mapping(
    session: Session, *, staff_id: int, identity: str, name: str, mapping: dict[str, str]
) -> None:
    """Remember a mapping (header -> field) under a name; the same name replaces it, and the
    oldest goes past MAPPINGS_KEPT."""
    current = load(session, staff_id=staff_id)
    named = {k: v for k, v in current.import_mappings.get(identity, {}).items() if k != name}
    named[name[:MAPPING_NAME_MAX_LENGTH]] = mapping
    kept = dict(list(named.items())[-MAPPINGS_KEPT:])
    mappings = {**current.import_mappings, identity: kept}
    _save(session, staff_id=staff_id, preferences=replace(current, import_mappings=mappings))
