"""The one guard of the panel's own per-list routes (bulk, cells, history, export job, saved
views, SQLAdmin's delete): the list the URL names, that it offers the route, that the row key is an
id, and that the staff member may do it; in that order, 404 before 403, as SQLAdmin's own routes."""

from collections.abc import Callable

from sqladmin.application import BaseAdmin
from starlette.exceptions import HTTPException
from starlette.requests import Request

from admin_app.admin.core.ids import parse_id
from admin_app.admin.views.base import PanelModelView


def _offers_everything(_view: PanelModelView) -> bool:
    return True


def guarded_view(
    admin: BaseAdmin,
    request: Request,
    permission: str | None,
    *,
    offers: Callable[[PanelModelView], bool] = _offers_everything,
    identity: str | None = None,
) -> PanelModelView:
    """The panel list this request's `identity` (or the one given) names, when it `offers` the
    route (else 404), its `pk`, if the route has one, is an id (404), the staff member may open
    it and, given a `permission`, has it (403)."""
    # SQLAdmin's (private) lookup of the view a URL names, as its own routes use it: a 404 when
    # no list has that name. No public way to find a view by identity exists.
    view = admin._find_model_view(identity or request.path_params["identity"])
    if not isinstance(view, PanelModelView) or not offers(view):
        raise HTTPException(status_code=404)
    if "pk" in request.path_params and parse_id(request.path_params["pk"]) is None:
        raise HTTPException(status_code=404)
    allowed = view.is_accessible(request)
    if not (allowed and (permission is None or view.has_permission(request, permission))):
        raise HTTPException(status_code=403)
    return view
