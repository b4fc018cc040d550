"""How values look on list and detail pages."""

from typing import Any

from markupsafe import Markup, escape

from admin_app.models import SocialStatus

_BADGE_CLASSES = {SocialStatus.PUBLIC: "bg-green-lt", SocialStatus.PRIVATE: "bg-azure-lt"}


def status_badge(model: Any, _attribute: Any) -> Markup:
    status = SocialStatus(model.social_status)
    return Markup('<span class="badge {}" data-status="{}">{}</span>').format(
        _BADGE_CLASSES[status], status.value, escape(status.value.capitalize())
    )
