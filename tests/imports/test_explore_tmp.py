from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from admin_app.models import Event, User, Import, ImportRow, ImportProblem, Job
from tests import factories
from tests.imports.conftest import upload, import_id, act


def test_explore(client: TestClient, db: Session) -> None:
    ann = factories.make_user(db, email="ann@example.org")
    ev = factories.make_event(db, organizer=ann, title="Old title")
    csv_text = (
        "id,title,date_of,social_status,organizer\n"
        f"{ev.id},New title,2027-01-02,private,ann@example.org\n"
        ",Brand new,2027-02-03,public,ANN@example.org\n"
        ",Bad date,2027-13-03,public,ann@example.org\n"
        ",No org,2027-03-03,public,bob@example.org\n"
    )
    status, where = upload(client, "event", csv_text.encode())
    assert status == 303, where
    n = import_id(where)
    page = client.get(where).text
    print(page[page.index('id="import"'):][:3000])
    loc = act(client, n, "check")
    print("after check", loc)
    job = client.get(loc).text
    print(job[job.index('id="job"'):][:1500])
    page = client.get(where).text
    print(page[page.index('id="import-dry-run"'):][:5000])
    loc = act(client, n, "commit")
    job = client.get(loc).text
    print(job[job.index('id="job"'):][:1500])
    db.expire_all()
    print(db.scalars(select(Event)).all())
    errs = client.get(f"/admin/imports/{n}/errors")
    print(errs.status_code, errs.text)
