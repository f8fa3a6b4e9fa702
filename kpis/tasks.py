"""Celery tasks of the KPI layer: thin, idempotent, retried on transient database errors."""

import logging

from celery import Signature, chord, current_app, group, shared_task
from django.db import OperationalError

from kpis import import_jobs, recompute, waiting
from kpis.models import ImportJob
from kpis.recompute_plan import Job, Stage

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


@shared_task(bind=True, name="kpis.tasks.recompute_waiting", **RETRY)
def recompute_waiting(self) -> int:
    """Recompute the chains that wait in Redis (kpis/waiting.py): every write queued up
    since the last such task shares this one. Returns rows changed (0 when an earlier task
    took the work). A retry finds what this task took and runs it again, which is harmless."""
    task_id = self.request.id
    changed = 0
    for unit_ids, period_ids in waiting.take(task_id):
        results = recompute.recompute_units(unit_ids=unit_ids, period_ids=period_ids)
        changed += sum(result.changed for result in results)
    waiting.done(task_id)
    return changed


@shared_task(name="kpis.tasks.recompute_everything", **RETRY)
def recompute_everything(period_ids: list[int] | None = None) -> int:
    """Recompute these periods for every scorecard (None: all periods, the nightly run;
    after correct incremental runs it changes nothing). With workers to share it (a result
    backend, not eager) the plan's jobs go out as a chain of stages and this returns the
    number of jobs sent; otherwise it runs them here and returns the rows changed."""
    nightly = period_ids is None
    stages = recompute.full_stages(period_ids=period_ids)
    if not shares_out():
        results = recompute.merged(
            result for stage in stages for job in stage for result in recompute.run_job(job)
        )
        changed = sum(result.changed for result in results)
        _warn_if_nightly_changed(nightly, changed, [result.period_id for result in results])
        return changed
    recompute_stages.delay([[job.as_arguments() for job in stage] for stage in stages], nightly)
    return sum(len(stage) for stage in stages)


@shared_task(name="kpis.tasks.recompute_stages", **RETRY)
def recompute_stages(stages: list[list[dict]], nightly: bool = False) -> int:
    """Send the first stage's jobs to the workers and, once every one of them has ended,
    this again with the stages after it: a chord a stage, so a stage starts only when the
    one before has ended and each job runs once. Returns the number of jobs sent."""
    stages = [stage for stage in stages if stage]
    if not stages:
        return 0
    first, rest = stages[0], stages[1:]
    jobs = [recompute_job.si(**job, nightly=nightly) for job in first]
    if rest:
        chord(jobs)(recompute_stages.si(rest, nightly))
    else:
        group(jobs).apply_async()
    return len(first)


@shared_task(name="kpis.tasks.recompute_job", **RETRY)
def recompute_job(
    period_ids: list[int], scorecard_ids: list[int] | None, shared: bool, nightly: bool = False
) -> list[list[int]]:
    """One job of a full recompute's plan; returns [period id, written, deleted] a period."""
    job = Job(
        period_ids=tuple(period_ids),
        scorecard_ids=None if scorecard_ids is None else tuple(scorecard_ids),
        shared=shared,
    )
    results = recompute.run_job(job)
    _warn_if_nightly_changed(
        nightly, sum(result.changed for result in results), list(job.period_ids)
    )
    return [[result.period_id, result.written, result.deleted] for result in results]


def run_on_workers(stages: list[Stage], *, timeout: float) -> list[recompute.RecomputeResult]:
    """Each stage sent to the workers as a group and waited for (at most `timeout` seconds)
    before the next: for a process that may block, such as a command; a task sends
    `recompute_stages` instead. One result a period."""
    found = []
    for stage in stages:
        if not stage:
            continue
        answers = group(job_signatures(stage)).apply_async().get(timeout=timeout)
        found += [
            recompute.RecomputeResult(period_id=pk, written=written, deleted=deleted)
            for answer in answers
            for pk, written, deleted in answer
        ]
    return recompute.merged(found)


def job_signatures(stage: Stage, *, nightly: bool = False) -> list[Signature]:
    """The stage's jobs as immutable signatures: a job reads the database, not the results
    of the stage before it."""
    return [recompute_job.si(**job.as_arguments(), nightly=nightly) for job in stage]


def shares_out() -> bool:
    """Whether a full recompute goes to workers: only they run tasks in parallel, and a chain
    of stages needs a result backend (`make run` without Redis has none)."""
    return bool(current_app.conf.result_backend) and not current_app.conf.task_always_eager


def _warn_if_nightly_changed(nightly: bool, changed: int, period_ids: list[int]) -> None:
    if nightly and changed:
        # Incremental recomputes should have left the nightly run nothing to do.
        logger.warning(
            "nightly full recompute changed %s snapshots (periods %s)", changed, period_ids
        )


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
