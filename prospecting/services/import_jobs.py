"""A CSV import's life: the upload becomes an ImportJob (the file kept on it, compressed, so a worker on
another machine can read it), the user maps its columns, and the import runs: inline for a small file,
in a Celery task for a large one, following it on a progress page.

All or nothing: the import's changes are one transaction, so its progress cannot be read from rows it
writes; it goes through the shared cache (Redis in production) instead, and the job row takes its
final counts when the transaction commits. A failure marks the job failed, with the reason in words,
and nothing imported. The task may be delivered twice (acks_late): a job already finished is left
alone, and one found `running` was cut off (its transaction rolled back) and starts again cleanly.
"""

import logging
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from prospecting.models import ImportJob, ImportState
from prospecting.models.imports import ACTIVE_STATES
from prospecting.services import csv_import

logger = logging.getLogger(__name__)

# Files up to this many rows import while the user waits (about a second); larger ones in the background.
INLINE_ROWS = 2_000
# The invalid rows a job keeps for its report (and its CSV download); the count covers them all.
MAX_ERRORS_KEPT = 10_000
PROGRESS_TTL = 24 * 3600
# How long an upload waits for its columns to be mapped before its file is dropped.
UPLOAD_KEPT = timedelta(days=1)
FAILED_MESSAGE = (
    "Something went wrong on our side while importing, and nothing was imported. Try again; if it "
    "fails again, tell us the time it happened."
)


def progress_key(job_id):
    return f"import-job:{job_id}:processed"


def processed(job) -> int:
    """Rows done so far: from the cache while the import runs, else the row's own count."""
    if job.state == ImportState.RUNNING:
        return cache.get(progress_key(job.pk), 0)
    return job.processed


def summary(job) -> str:
    """What a finished import did, in one sentence."""
    text = (
        f"Imported {job.total - job.invalid} of {job.total} rows: {job.created} new "
        f"{'person' if job.created == 1 else 'people'}, {job.matched} already kept; "
        f"{job.added} added to the list."
    )
    if job.invalid:
        text += f" {job.invalid} invalid {'row was' if job.invalid == 1 else 'rows were'} skipped."
    return text


def upload_import(*, prospect_list, user, upload) -> ImportJob:
    """An ImportJob holding the uploaded file, waiting for its columns. CsvFileError says what is
    wrong with a file that cannot be imported."""
    # One byte more than the limit is enough for the reader to refuse the file, without reading it all.
    parsed = csv_import.read_upload(upload.read(csv_import.MAX_IMPORT_BYTES + 1))
    job = ImportJob(
        team=prospect_list.team,
        prospect_list=prospect_list,
        user=user,
        filename=(upload.name or "")[:255],
        delimiter=parsed.delimiter,
        headers=parsed.headers,
        preview=parsed.preview,
        total=parsed.total,
    )
    job.set_text(parsed.text)
    with transaction.atomic():
        # An upload never imported holds a file nobody will use: the user's new one of this list replaces
        # theirs, and the team's left for a day go.
        uploaded = ImportJob.objects.for_team(prospect_list.team).filter(state=ImportState.UPLOADED)
        uploaded.filter(prospect_list=prospect_list, user=user).delete()
        uploaded.filter(created_at__lt=timezone.now() - UPLOAD_KEPT).delete()
        job.save()
    return job


def start_import(*, job, mapping, skip_invalid) -> ImportJob:
    """Import an uploaded job with this mapping (field -> column index): now when it is small, else
    queued for a worker. A job already started (a form sent twice) is returned as it is."""
    from prospecting.tasks import import_csv_task  # tasks call this module's services

    with transaction.atomic():
        started = ImportJob.objects.filter(pk=job.pk, state=ImportState.UPLOADED).update(
            state=ImportState.QUEUED, mapping=mapping, skip_invalid=skip_invalid, errors=[], invalid=0
        )
        inline = job.total <= INLINE_ROWS
        if started and not inline:
            transaction.on_commit(lambda: import_csv_task.delay(job.pk))
    if started and inline:
        run_import(job.pk)
    job.refresh_from_db()
    return job


def run_import(job_id):
    """Run a queued job (the Celery task calls this; small imports call it inline). Returns the job, or
    None when there was nothing to do (finished already, or gone)."""
    claimed = ImportJob.objects.filter(pk=job_id, state__in=ACTIVE_STATES).update(
        state=ImportState.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    cache.set(progress_key(job_id), 0, PROGRESS_TTL)
    try:
        with transaction.atomic():
            # A second delivery of the task waits here until the first one's transaction ends.
            jobs = ImportJob.objects.select_for_update(of=("self",)).select_related(
                "prospect_list__team", "user"
            )
            job = jobs.get(pk=job_id)
            if job.state != ImportState.RUNNING:
                return None
            _import(job)
    except Exception:
        logger.exception("Import job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            state=ImportState.FAILED, message=FAILED_MESSAGE, data=b"", finished_at=timezone.now()
        )
    finally:
        cache.delete(progress_key(job_id))
    return ImportJob.objects.get(pk=job_id)


def _import(job):
    def report(done, of):
        # Rows done: the invalid ones (checked first) and the valid ones kept so far.
        cache.set(progress_key(job.pk), job.total - of + done, PROGRESS_TTL)

    result = csv_import.import_rows(
        prospect_list=job.prospect_list,
        user=job.user,
        rows=csv_import.FileRows(job.text(), job.delimiter),
        mapping={name: int(index) for name, index in job.mapping.items()},
        skip_invalid=job.skip_invalid,
        progress=report,
    )
    job.invalid = len(result.errors)
    job.errors = [list(error) for error in result.errors[:MAX_ERRORS_KEPT]]
    if result.errors and not job.skip_invalid:
        # Nothing imported: back to the mapping step with the report; the file stays for another try.
        job.state = ImportState.UPLOADED
        job.save(update_fields=["state", "invalid", "errors"])
        return
    job.state = ImportState.DONE
    job.processed = job.total
    job.created, job.matched, job.added = result.created, result.matched, result.added
    job.data = b""
    job.finished_at = timezone.now()
    job.save()
