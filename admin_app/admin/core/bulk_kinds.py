"""The bulk work a list offers on a selection, named once: its confirmation page's path, the
Actions menu entry and role grant that allow it, and its words on the page and in a job."""

from dataclasses import dataclass


@dataclass(frozen=True)
class BulkKind:
    slug: str  # /{identity}/bulk/{slug}: the confirmation page
    action: str  # the list's Actions menu entry, and the custom action a role is granted
    label: str  # the confirmation page's button
    job_title: str  # the job's title when it runs in the background


DELETE = BulkKind("delete", "review-delete", label="Delete", job_title="Delete")
SET_STATUS = BulkKind(
    "set-status", "set-status", label="Set social status", job_title="Status change"
)
BATCH_EDIT = BulkKind("batch-edit", "batch-edit", label="Batch edit", job_title="Batch edit")
BULK_KINDS = {kind.slug: kind for kind in (DELETE, SET_STATUS, BATCH_EDIT)}
