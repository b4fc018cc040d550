"""An uploaded file made an import: stored with its header and first rows, mapped by a saved
mapping with exactly its headers or by the headers' names; the same file again is the same
import."""

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from admin_app.admin.imports import stored
from admin_app.admin.imports.fields import field_map, guess_mapping
from admin_app.jobs.store import Owner
from admin_app.models import Import
from admin_app.staff import preferences


def keep(
    factory: sessionmaker[Session],
    who: Owner,
    identity: str,
    file_name: str,
    received: stored.Received,
    headers: list[str],
    first_rows: list[list[str]],
) -> tuple[int, bool]:
    """The import of this file, new (with its chunks and a guessed or saved mapping) or the
    one this staff member made of the same file for the same list: (id, new)."""
    try:
        return _new_or_existing(factory, who, identity, file_name, received, headers, first_rows)
    except IntegrityError:
        # The same upload sent twice at once (a double submit): the first one made it.
        with factory() as session:
            existing = session.scalar(_same_file(who, identity, received))
        if existing is None:
            raise
        return int(existing), False


def _same_file(who: Owner, identity: str, received: stored.Received) -> Select[Any]:
    return select(Import.id).where(
        Import.owner_id == who.staff_id,
        Import.identity == identity,
        Import.file_hash == received.sha256,
    )


def _new_or_existing(
    factory: sessionmaker[Session],
    who: Owner,
    identity: str,
    file_name: str,
    received: stored.Received,
    headers: list[str],
    first_rows: list[list[str]],
) -> tuple[int, bool]:
    with factory() as session, session.begin():
        existing = session.scalar(_same_file(who, identity, received))
        if existing is not None:
            return int(existing), False
        saved = saved_mapping(session, who.staff_id, identity, headers)
        found = Import(
            identity=identity,
            owner_id=who.staff_id,
            owner_email=who.email,
            file_name=file_name,
            file_hash=received.sha256,
            file_size=received.size,
            file_format=received.layout.file_format,
            encoding=received.layout.encoding,
            delimiter=received.layout.delimiter,
            headers=headers,
            preview=first_rows,
            mapping=saved or guess_mapping(identity, headers),
            mode="create_update",
            skip_unchanged=True,
        )
        session.add(found)
        session.flush()
        stored.store(session, found.id, received.path)
        return found.id, True


def saved_mapping(
    session: Session, staff_id: int | None, identity: str, headers: list[str]
) -> list[str] | None:
    """A saved mapping whose headers are exactly this file's, if there is one."""
    if staff_id is None:
        return None
    saved = preferences.load(session, staff_id=staff_id).import_mappings.get(identity, {})
    wanted = {header.casefold() for header in headers if header}
    for named in reversed(list(saved.values())):
        if set(named) == wanted:
            return mapping_from(identity, headers, named)
    return None


def mapping_from(identity: str, headers: list[str], named: dict[str, str]) -> list[str]:
    fields = field_map(identity)
    return [
        named.get(header.casefold(), "") if named.get(header.casefold(), "") in fields else ""
        for header in headers
    ]


def safe_name(name: str) -> str:
    # A file name as a header and a page show it: no path, no quotes, no control characters.
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in base if c.isprintable() and c not in '"').strip()
