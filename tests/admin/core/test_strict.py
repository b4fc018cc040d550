"""The view every panel view builds on: each form build starts from the declared field
arguments (security round 3, finding 2: SQLAdmin appended its validators to ours on every
build, 40,004 on the title after 20,000 builds)."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from admin_app.admin.core.strict import StrictInputView
from admin_app.admin.views.events import EventAdmin
from admin_app.admin.views.staff_accounts import StaffAdmin
from admin_app.admin.views.users import UserAdmin
from admin_app.models import TITLE_MAX_LENGTH
from tests import factories

BUILDS = 1_000


def _validator_counts(form_class: type) -> dict[str, int]:
    form = form_class()
    return {name: len(field.validators) for name, field in form._fields.items()}


@pytest.mark.anyio
@pytest.mark.parametrize("view_class", [EventAdmin, UserAdmin, StaffAdmin], ids=str)
async def test_a_form_built_a_thousand_times_has_the_validators_of_the_first_build(
    session_factory: sessionmaker[Session], view_class: type[StrictInputView]
) -> None:
    view = view_class()
    view.session_maker = session_factory  # type: ignore[misc]  # as SQLAdmin's add_view does
    declared = {name: list(args.get("validators", [])) for name, args in view.form_args.items()}
    first = _validator_counts(await view.scaffold_form())
    for _ in range(BUILDS):
        built = await view.scaffold_form()
    assert _validator_counts(built) == first
    # The class's own lists are never extended.
    assert {
        name: list(args.get("validators", [])) for name, args in type(view).form_args.items()
    } == declared


def test_an_over_long_title_in_a_cell_says_so_once_however_often_it_is_tried(
    client: TestClient, db: Session
) -> None:
    event = factories.make_event(db)
    message = f"Field cannot be longer than {TITLE_MAX_LENGTH} characters."
    for _ in range(5):
        response = client.post(
            f"/admin/event/cell/{event.id}",
            data={"field": "title", "value": "x" * 201, "version": str(event.version)},
        )
        assert response.status_code == 400
        assert response.json()["error"] == message
