"""Staff accounts, for admins only: create with a role, deactivate, reset a password."""

from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session
from starlette.requests import Request
from wtforms import Form, PasswordField
from wtforms.validators import InputRequired, Length

from admin_app.admin.core.errors import FormErrors
from admin_app.admin.core.ids import parse_id
from admin_app.admin.forms.validators import enum_value, strip_text, valid_email
from admin_app.admin.views.base import PanelModelView
from admin_app.models import Staff, StaffRole
from admin_app.staff.accounts import LAST_ADMIN, revoke_sessions, would_remove_last_admin
from admin_app.staff.passwords import MAX_PASSWORD_LENGTH, hash_password, password_problem

PASSWORD_HELP = "At least 12 characters."
KEEP_PASSWORD = "leave empty to keep the current password."


class StaffAdmin(PanelModelView, model=Staff):
    # Identity
    name = "Staff member"
    name_plural = "Staff"
    icon = "fa-solid fa-user-shield"

    # List (never the password hash or the session version)
    column_list = [Staff.id, Staff.email, Staff.role, Staff.is_active, Staff.last_login_at]
    column_labels = {
        Staff.id: "ID",
        Staff.email: "Email",
        Staff.role: "Role",
        Staff.is_active: "Active",
        Staff.last_login_at: "Last login",
        Staff.created_at: "Created",
    }
    column_searchable_list = [Staff.email]
    column_sortable_list = [Staff.id, Staff.email, Staff.role, Staff.last_login_at]
    column_default_sort = [(Staff.id, False)]

    # Details
    column_details_list = [
        Staff.id,
        Staff.email,
        Staff.role,
        Staff.is_active,
        Staff.created_at,
        Staff.last_login_at,
    ]

    # Form: a new password is set here; the stored hash is never shown or edited.
    form_columns = [Staff.email, Staff.role, Staff.is_active]
    form_args = {
        "email": {
            "label": "Email",
            "filters": [strip_text],
            "validators": [InputRequired(), valid_email],  # and the column's length (SQLAdmin)
        },
        "role": {"label": "Role", "coerce": enum_value, "default": StaffRole.VIEWER.value},
        "is_active": {"label": "Active", "default": True},
    }
    # A new account's form asks for its first password; an account's edit form offers to
    # replace it. The password fields are ours (below); the rules name which form has which.
    form_create_rules = ["email", "role", "is_active", "password"]
    form_edit_rules = ["email", "role", "is_active", "new_password"]
    integrity_messages = {"email": "A staff account with this email already exists."}
    can_export = False

    async def scaffold_form(self, rules: list[str] | None = None) -> type[Form]:
        form = await super().scaffold_form(rules)
        creating = "password" in (rules or [])
        field = PasswordField(
            "Password" if creating else "New password",
            validators=[Length(max=MAX_PASSWORD_LENGTH)],
            description=PASSWORD_HELP if creating else f"{PASSWORD_HELP[:-1]}; {KEEP_PASSWORD}",
            render_kw={"class": "form-control", "autocomplete": "new-password"},
        )
        name = "password" if creating else "new_password"
        return type("StaffForm", (form,), {name: field})

    def clean(self, session: Session, data: dict[str, Any], *, pk: str | None) -> dict[str, Any]:
        data = dict(data)
        field = "new_password" if pk else "password"
        password = (data.pop("password", None) or "") + (data.pop("new_password", None) or "")
        if pk is None and not password:
            raise FormErrors({field: ["Set a password for the new account."]})
        if password:
            if problem := password_problem(password):
                raise FormErrors({field: [problem]})
            data["password_hash"] = hash_password(password)
        staff_id = parse_id(pk or "")
        current = session.get(Staff, staff_id) if staff_id is not None else None
        if current is not None:
            self._keep_an_admin(session, current, data)
        return data

    async def on_model_change(
        self, data: dict[str, Any], model: Any, is_created: bool, request: Request
    ) -> None:
        # In the save's own transaction: a new password, role or activity ends older sessions.
        await super().on_model_change(data, model, is_created, request)
        if not is_created and self._changes_access(model, data):
            revoke_sessions(model)

    def delete_blocker(self, session: Session, ids: Select[Any]) -> str | None:
        return LAST_ADMIN if would_remove_last_admin(session, staff_ids=ids) else None

    @staticmethod
    def _keep_an_admin(session: Session, current: Staff, data: dict[str, Any]) -> None:
        stays_admin = data.get("role") == StaffRole.ADMIN.value and bool(data.get("is_active"))
        if not stays_admin and would_remove_last_admin(session, staff_ids=[current.id]):
            raise FormErrors({"role": [LAST_ADMIN]})

    @staticmethod
    def _changes_access(current: Staff, data: dict[str, Any]) -> bool:
        return (
            "password_hash" in data
            or data.get("role") != current.role.value
            or bool(data.get("is_active")) != current.is_active
        )
