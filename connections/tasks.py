"""Connections' Celery tasks: thin, taking ids and calling a service."""

from celery import shared_task

from connections import services


@shared_task
def run_import(run_id: int) -> str:
    return services.run_execute(run_id=run_id).status


@shared_task
def run_due_imports() -> int:
    """Each minute (the beat schedule): queue the imports whose schedule says so."""
    return len(services.imports_claim_due())


@shared_task
def prune_import_runs() -> int:
    return services.runs_prune()


@shared_task
def remind_late_imports() -> int:
    return services.imports_remind_late()
