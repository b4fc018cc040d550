"""An import's two jobs: the dry run (read the file into the staging table and classify every
row) and the commit (write the checked rows in chunks, one change set). Both run as the import's
owner, whose role the worker checks again first: an import creates and edits rows."""

from datetime import UTC
from typing import Any

from sqladmin.authorization import Action
from sqlalchemy import update

from admin_app import clock
from admin_app.admin.actions.imports import checking, committing
from admin_app.admin.actions.imports.checking import mapping_problems
from admin_app.admin.actions.imports.reading import FileProblem
from admin_app.admin.actions.imports.staged import Plan
from admin_app.admin.actions.imports.upload import local_copy
from admin_app.admin.core.wording import plural
from admin_app.admin.site.roles import active_role, role_may
from admin_app.jobs.runner import JobRefused, JobRun, Kind
from admin_app.models import Import, Job
from admin_app.web.edge.redirects import ADMIN_PREFIX

CHECK, COMMIT = "import_check", "import_commit"
NOUNS = {"user": "users", "event": "events"}


def import_link(job: Job | int) -> str:
    import_id = job if isinstance(job, int) else job.params.get("import")
    return f"{ADMIN_PREFIX}/imports/{import_id}"


def checked_state(found: Import) -> dict[str, Any]:
    """What a dry run checked: Confirm commits only what was checked, as it was checked."""
    return {"mapping": list(found.mapping), "mode": found.mode, "skip": found.skip_unchanged}


def dry_run_current(found: Import) -> bool:
    """Whether the import's dry run checked what Confirm would now write."""
    checked = dict(found.checked or {})
    checked.pop("at", None)
    return found.counts is not None and checked == checked_state(found)


def counts_in_words(counts: dict[str, Any]) -> str:
    parts = [
        f"{counts.get('create', 0):,} to create",
        f"{counts.get('update', 0):,} to update",
        f"{counts.get('unchanged', 0):,} unchanged",
    ]
    if counts.get("skip"):
        parts.append(f"{counts['skip']:,} skipped")
    parts.append(f"{counts.get('error', 0):,} with errors")
    return ", ".join(parts)


def kinds() -> dict[str, Kind]:
    return {
        CHECK: Kind(
            title=lambda job: f"Dry run of {job.params.get('file', 'a file')}",
            run=run_check,
            on_cancel="nothing was changed (a dry run only reads the file); check it again "
            "whenever you like.",
            link=import_link,
            done="is done",
            link_text="Back to the import",
        ),
        COMMIT: Kind(
            title=lambda job: (
                f"Import of {job.params.get('file', 'a file')}"
                + (f" ({job.total:,} rows)" if job.total else "")
            ),
            run=run_commit,
            on_cancel="the chunks committed before Cancel stay imported, in the import's "
            "change set (undo it to take them out); Retry goes on from where it stopped.",
            link=import_link,
            done="is done",
            link_text="Back to the import",
        ),
    }


def _load(job_run: JobRun) -> Import:
    import_id = int(job_run.params.get("import", 0))
    with job_run.factory() as session:
        found = session.get(Import, import_id)
        role = active_role(session, job_run.job.owner_id)
    if found is None:
        raise JobRefused("the import was discarded.")
    grants = [(found.identity, str(Action.CREATE)), (found.identity, str(Action.EDIT))]
    if role is None or not all(role_may(role, *grant) for grant in grants):
        raise JobRefused("your role may no longer import.")
    return found


def run_check(job_run: JobRun) -> str:
    found = _load(job_run)
    if problems := mapping_problems(found.identity, found.mapping, found.mode):
        raise JobRefused(" ".join(problems))
    plan = Plan.of(found)
    job_run.progress(0)
    try:
        with local_copy(job_run.factory, found.id) as path:
            read = checking.stage(job_run.factory, plan, path, lambda done: job_run.progress(done))
    except FileProblem as problem:
        raise JobRefused(str(problem)) from problem
    if not read:
        raise JobRefused("the file has a header row but no rows under it.")
    with job_run.factory() as session, session.begin():
        counts = checking.classify(session, plan)
        session.execute(
            update(Import)
            .where(Import.id == found.id)
            .values(
                checked=checked_state(found) | {"at": clock.now().astimezone(UTC).isoformat()},
                counts=counts,
            )
        )
    job_run.progress(counts["rows"], counts["rows"])
    return f"{counts['rows']:,} rows: {counts_in_words(counts)}. Review them and confirm."


def run_commit(job_run: JobRun) -> str:
    found = _load(job_run)
    if found.committed_at is not None:
        raise JobRefused("this file was imported already.")
    if not dry_run_current(found):
        raise JobRefused("the mapping changed since the dry run: check the file again first.")
    plan = Plan.of(found)
    counts = found.counts or {}
    total = int(counts.get("create", 0)) + int(counts.get("update", 0))
    job_run.progress(0, total)
    noun = NOUNS[found.identity]

    def summary(outcome: committing.Outcome) -> str:
        left = f", {outcome.stale:,} changed since the dry run left alone" if outcome.stale else ""
        return (
            f"Imported {noun} from {found.file_name} (sha256 {found.file_hash[:16]}…): "
            f"{outcome.created:,} created, {outcome.updated:,} updated{left}"
        )

    outcome = committing.run(
        job_run.factory, plan, lambda done: job_run.progress(done, total), summary=summary
    )
    left = (
        f" {outcome.stale:,} rows changed by someone since the dry run were left as they are "
        "(the error file lists them)."
        if outcome.stale
        else ""
    )
    singular = noun.removesuffix("s")
    return (
        f"{outcome.created:,} {plural(outcome.created, singular, noun)} created, "
        f"{outcome.updated:,} updated, as one change set: undo it to take the import back.{left}"
    )
