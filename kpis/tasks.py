"""Celery tasks of the KPI layer: thin, idempotent, retried on transient database errors."""

import logging

from celery import shared_task
from django.db import OperationalError

from kpis import import_jobs, recompute
from kpis.models import ImportJob

logger = logging.getLogger(__name__)

RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "max_retries": 5,
}


@shared_task(name="kpis.tasks.recompute_units", **RETRY)
def recompute_units(unit_ids: list[int], period_ids: list[int]) -> int:
    """Recompute the chains above these units in these periods; returns rows changed."""
    results = recompute.recompute_units(unit_ids=unit_ids, period_ids=period_ids)
    return sum(result.changed for result in results)


@shared_task(name="kpis.tasks.recompute_everything", **RETRY)
def recompute_everything(period_ids: list[int] | None = None) -> int:
    """Recompute these periods for every scorecard (None: all periods, the nightly run;
    after correct incremental runs it changes nothing)."""
    results = recompute.recompute_everything(period_ids=period_ids)
    changed = sum(result.changed for result in results)
    if changed and period_ids is None:
        # Incremental recomputes should have left the nightly run nothing to do.
        logger.warning("nightly full recompute changed %s snapshots", changed)
    return changed


@shared_task(name="kpis.tasks.import_check", **RETRY)
def import_check(job_id: int) -> str:
    """Check a large import's rows (its preview), reporting progress on the job."""
    job = ImportJob.objects.select_related("person").filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.CHECKING:
        return "skipped"
    job = import_jobs.job_check(job=job)
    logger.info("import %s checked: %s rows", job.pk, job.total)
    return job.status


@shared_task(name="kpis.tasks.import_apply", **RETRY)
def import_apply(job_id: int) -> str:
    """Apply a confirmed large import, all or nothing."""
    job = ImportJob.objects.select_related("person").filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.APPLYING:
        return "skipped"
    job = import_jobs.job_apply(job=job)
    logger.info("import %s %s: %s actuals saved", job.pk, job.status, job.saved)
    return job.status
