"""Large spreadsheet imports: the steps of `kpis.imports`, run by Celery tasks, with the
progress kept on an ImportJob row that the job's page polls."""

from django.core.exceptions import ValidationError
from django.db import transaction

from kpis.imports import ImportRow, Preview, Progress, preview, recheck, stash, write
from kpis.models import ImportJob

JOB_NOT_READY = "This import is not ready to apply: {status}."
# Files with more rows than this are checked and imported by a Celery task, with progress.
BACKGROUND_ROWS = 300


@transaction.atomic
def job_start(*, rows: list[ImportRow], user, file_name: str) -> ImportJob:
    """Keep the file's rows and queue their check once the job is committed."""
    job = ImportJob(person=user, file_name=file_name[:200], rows=stash(rows), total=len(rows))
    job.full_clean()
    job.save()
    transaction.on_commit(lambda: _tasks().import_check.delay(job.pk))
    return job


def _tasks():
    # Imported late: the tasks module imports this one.
    from kpis import tasks

    return tasks


def _progress_of(job: ImportJob) -> Progress:
    def report(done: int, total: int) -> None:
        # An UPDATE of its own, committed at once, so the polling page sees it move.
        ImportJob.objects.filter(pk=job.pk).update(processed=done, total=total)

    return report


def job_check(*, job: ImportJob) -> ImportJob:
    """The preview of a job's rows; idempotent (a second run checks again)."""
    checked = preview(
        rows=[ImportRow(number=r["number"], cells=dict(r["cells"])) for r in job.rows],
        user=job.person,
        progress=_progress_of(job),
    )
    job.rows = stash(checked.rows)
    job.preview = [row.as_json() for row in checked.rows]
    job.status = ImportJob.Status.CHECKED
    job.processed = job.total
    job.save()
    return job


@transaction.atomic
def job_confirm(*, job: ImportJob) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.CHECKED or job_preview(job).has_errors:
        raise ValidationError(JOB_NOT_READY.format(status=job.get_status_display().lower()))
    job.status = ImportJob.Status.APPLYING
    job.processed = 0
    job.save(update_fields=["status", "processed"])
    transaction.on_commit(lambda: _tasks().import_apply.delay(job.pk))
    return job


def job_apply(*, job: ImportJob) -> ImportJob:
    """Apply a confirmed job, all or nothing. Safe to run twice: only a job still marked as
    applying is written, under a row lock, and the status changes in the same transaction."""
    applied = recheck(stashed=job.rows, user=job.person, progress=_progress_of(job))
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportJob.Status.APPLYING:
            return job
        if not applied.refusal:
            write(applied, job.person)
        job.status = ImportJob.Status.FAILED if applied.refusal else ImportJob.Status.DONE
        job.saved = applied.saved
        job.message = applied.refusal
        job.preview = [row.as_json() for row in applied.preview.rows]
        job.processed = job.total
        job.save()
    return job


def job_preview(job: ImportJob) -> Preview:
    return Preview(rows=[ImportRow.from_json(row) for row in job.preview])
