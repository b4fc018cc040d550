"""The relationship picker's lookup, matching what staff type literally (SQLAdmin's does not),
and who an organizer field names: the picker's user id, or an email typed without the script
(the event form and batch edit read it alike)."""

import json
import re
from html import unescape
from typing import Any

from markupsafe import Markup
from sqladmin.ajax import QueryAjaxModelLoader
from sqladmin.widgets import AjaxSelect2Widget
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from starlette.requests import Request

from admin_app.admin.core.ids import parse_id
from admin_app.admin.core.strict import StrictInputView
from admin_app.admin.core.text_search import contains, prepare
from admin_app.emails import normalize_email
from admin_app.models import EMAIL_MAX_LENGTH, User


class LiteralAjaxLoader(QueryAjaxModelLoader):
    async def get_list(self, request: Request, term: str) -> list[Any]:
        await prepare(self.model_admin.session_maker, self._columns(), term)
        stmt: Any = select(self.model).where(or_(*(contains(f, term) for f in self._columns())))
        if self.order_by:
            stmt = stmt.order_by(*self._columns(self.order_by))
        view = self.model_admin
        assert isinstance(view, StrictInputView), "pickers belong to the panel's views"
        result: list[Any] = await view.run_query(stmt.limit(self.limit))
        return result

    def _columns(self, names: Any = None) -> list[Any]:
        """The configured fields (or order_by) as columns: names are looked up on the model."""
        names = self.fields if names is None else names
        names = [names] if isinstance(names, str) else names
        return [getattr(self.model, name) if isinstance(name, str) else name for name in names]


class PickerWidget(AjaxSelect2Widget):
    """SQLAdmin's picker with the current value rendered as a selected option (not a data-json
    attribute for its script): as served, an unchanged organizer is sent back as it was. With
    no value yet and no script, a text box takes the id or email instead."""

    async def __call__(self, field: Any, **kwargs: Any) -> Markup:
        # SQLAdmin's markup, its attributes escaped by it; the options below are escaped here.
        html = str(await super().__call__(field, **kwargs))
        found = re.search(r'data-json="([^"]*)"', html)
        if self.multiple:
            return Markup(html)
        if not found:
            return Markup(html) + _typed_fallback(field)
        options = Markup("").join(
            Markup('<option value="{}" selected>{}</option>').format(item["id"], item["text"])
            for item in json.loads(unescape(found.group(1)))
        )
        # The option replaces data-json: SQLAdmin's script would otherwise add it a second time.
        tag = html.replace(found.group(0), "", 1).removesuffix("</select>")
        return Markup(tag) + options + Markup("</select>")


def _typed_fallback(field: Any) -> Markup:
    # Without scripts the empty picker has nothing to choose from; <noscript> content exists
    # only then, so the field is sent once either way.
    return Markup(
        '<noscript><input type="text" name="{}" class="form-control mt-1" autocomplete="off" '
        'aria-label="{}: email or id" placeholder="{}: email or id"></noscript>'
    ).format(field.name, field.label.text, field.label.text)


def find_organizer(session: Session, typed: str) -> tuple[int, str] | None:
    """The (id, email) of the user `typed` names, or None when it names no one."""
    organizer_id = parse_id(typed)
    if organizer_id is not None:
        match = User.id == organizer_id
    elif _could_be_email(typed):
        match = User.email == normalize_email(typed)
    else:
        return None
    found = session.execute(select(User.id, User.email).where(match)).first()
    return (int(found.id), str(found.email)) if found is not None else None


def _could_be_email(typed: str) -> bool:
    # NUL cannot reach PostgreSQL as text, and nothing longer is an address: both name no one.
    return "@" in typed and "\x00" not in typed and len(typed.strip()) <= EMAIL_MAX_LENGTH
