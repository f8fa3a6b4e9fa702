"""Reads of connections, imports and runs that pages, the API and the KPI layer's hook share."""

from typing import Any

from django.db.models import QuerySet

from connections.models import Connection, Import, ImportRun, Lineage
from kpis.feeds import Feed
from scorecard.rules import managed_q


def feed_of_kpi(kpi_id: int) -> Feed | None:
    """The enabled import that feeds the KPI (one query), for kpis.feeds."""
    found = (
        Import.objects.filter(enabled=True, fed_kpis=kpi_id).order_by("pk").values("pk", "name")
    ).first()
    return Feed(found["pk"], found["name"]) if found else None


def fed_kpi_ids() -> QuerySet:
    """The ids of the KPIs that enabled imports feed, as a subquery."""
    through = Import.fed_kpis.through
    return through.objects.filter(**{"import__enabled": True}).values("kpi_id")


def connections_for(user: Any) -> QuerySet[Connection]:
    return Connection.objects.order_by("name")


def imports_managed_by(user: Any) -> QuerySet[Import]:
    """The imports of the units the user manages (every import for an administrator)."""
    return (
        Import.objects.filter(managed_q(user, "org_unit__path"))
        .select_related("connection", "org_unit", "owner")
        .order_by("name", "pk")
    )


def runs_of(import_job: Import) -> QuerySet[ImportRun]:
    return import_job.runs.order_by("-queued_at", "-pk")


def latest_lineage(actual_id: int, version: int) -> Lineage | None:
    """The run and source rows behind an actual's current version, if an import wrote it."""
    return (
        Lineage.objects.filter(actual_id=actual_id, version=version)
        .select_related("run__import_job")
        .order_by("-pk")
        .first()
    )


def failures_in_a_row(import_job: Import) -> int:
    """How many of the import's latest finished runs failed, counting back to a success."""
    count = 0
    finished = runs_of(import_job).filter(
        status__in=[ImportRun.Status.SUCCEEDED, ImportRun.Status.FAILED]
    )
    for status in finished.values_list("status", flat=True)[:10]:
        if status != ImportRun.Status.FAILED:
            break
        count += 1
    return count


def values_written(run: ImportRun) -> QuerySet[Lineage]:
    """The actuals a run wrote, with their KPI and period, in KPI then time order."""
    return (
        Lineage.objects.filter(run=run)
        .select_related("actual__kpi", "actual__period")
        .order_by("actual__kpi__name", "actual__period__start")
    )
