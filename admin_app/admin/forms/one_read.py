"""An edit page reads its row once. SQLAdmin reads it for the permission check (`_edit`, through
`get_object_for_details`), again for the form, and the row a picker shows (an event's organizer)
a third time, each in a session and a thread hop of its own: four statements where one does."""

from typing import Any

from sqladmin import ModelView
from sqladmin.forms import WTFORMS_ATTRS
from sqladmin.helpers import get_direction
from sqlalchemy import Select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import joinedload
from starlette.requests import Request

# The request's edit row, kept on request.state for the rest of the request.
EDIT_ROW_STATE = "edit_row"
# SQLAdmin's endpoint name for the edit page (Admin.edit).
EDIT_ENDPOINT = "edit"


def is_edit_page(request: Request) -> bool:
    endpoint = request.scope.get("endpoint")
    return getattr(endpoint, "__name__", None) == EDIT_ENDPOINT


class OneReadEditView(ModelView):
    """The edit page's row read once per request, its pickers' rows joined to it."""

    def _picked_relations(self) -> list[str]:
        # Pickers choosing one row (many-to-one): their row's label is on the form as served.
        relations = self._mapper.relationships
        return [
            name
            for name in self._ajax_relation_names
            if get_direction(relations[name]) == "MANYTOONE"
        ]

    def form_edit_query(self, request: Request) -> Select[Any]:
        stmt = super().form_edit_query(request)
        for name in self._picked_relations():
            stmt = stmt.options(joinedload(self._mapper.relationships[name]))
        return stmt

    async def get_object_for_edit(self, request: Request) -> Any:
        if not hasattr(request.state, EDIT_ROW_STATE):
            setattr(request.state, EDIT_ROW_STATE, await super().get_object_for_edit(request))
        return getattr(request.state, EDIT_ROW_STATE)

    async def get_object_for_details(self, request: Request) -> Any:
        # Before an edit SQLAdmin reads the row for check_can_edit: the edit's own read serves.
        if is_edit_page(request):
            return await self.get_object_for_edit(request)
        return await super().get_object_for_details(request)

    async def get_form_data_for_edit(self, obj: Any) -> dict[str, Any]:
        # SQLAdmin 0.32's, with each picked row taken from `obj` (joined above) instead of a
        # query of its own; any other picker goes through SQLAdmin's.
        unloaded = sa_inspect(obj).unloaded
        picked = [name for name in self._picked_relations() if name not in unloaded]
        if set(self._ajax_relation_names) - set(picked):
            return await super().get_form_data_for_edit(obj)
        data: dict[str, Any] = {}
        for name in self._form_prop_names:
            key = name if name in picked else WTFORMS_ATTRS.get(name, name)
            data[key] = getattr(obj, name, None)
        return data
