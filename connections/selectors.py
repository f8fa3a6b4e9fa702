"""Reads of connections, imports and runs that pages, the API and the KPI layer's hook share."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse

from connections.models import Connection, Import, ImportRun, Lineage
from connections.schedules import late_since
from kpis.feeds import Feed, Provenance
from scorecard.rules import managed_q


def feed_of_kpi(kpi_id: int) -> Feed | None:
    """The enabled import that feeds the KPI (one query), for kpis.feeds."""
    found = (
        Import.objects.filter(enabled=True, fed_kpis=kpi_id).order_by("pk").values("pk", "name")
    ).first()
    return Feed(found["pk"], found["name"]) if found else None


def feed_name_of_kpi() -> Subquery:
    """The name of the enabled import that feeds the outer KPI (the one `feed_of_kpi`
    answers), as a subquery, for kpis.feeds.with_feed_name."""
    feeding = Import.objects.filter(enabled=True, fed_kpis=OuterRef("pk")).order_by("pk")
    return Subquery(feeding.values("name")[:1])


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


def _provenance(lineage: Lineage) -> Provenance:
    run = lineage.run
    url = reverse("connections:actual_sources", args=[lineage.actual_id])
    return Provenance(
        import_id=run.import_job_id,
        import_name=run.import_job.name,
        run_id=run.pk,
        run_at=run.finished_at or run.started_at,
        sources_url=f"{url}?version={lineage.version}",
    )


def provenance_of(pairs: list[tuple[int, int]]) -> dict[tuple[int, int], Provenance]:
    """The import and run behind each (actual id, version) a run wrote, with the link to
    its source rows: one query for all the pairs (for kpis.feeds; history pages and the
    API ask it only when a line's source is an import)."""
    wanted = set(pairs)
    rows = (
        Lineage.objects.filter(actual_id__in={actual_id for actual_id, _ in wanted})
        .select_related("run__import_job")
        .only(
            "actual_id",
            "version",
            "run__started_at",
            "run__finished_at",
            "run__import_job__name",
        )
        .order_by("pk")
    )
    # A later lineage of the same version (a run written again) wins.
    return {
        (row.actual_id, row.version): _provenance(row)
        for row in rows
        if (row.actual_id, row.version) in wanted
    }


@dataclass
class Stale:
    """An import the dashboard's data-freshness panel shows: its last run failed, or it is
    late (no successful run within twice its schedule's interval)."""

    import_job: Import
    failed: bool
    error: str
    late_since: datetime | None


@dataclass
class StaleImports:
    count: int = 0
    shown: list[Stale] = field(default_factory=list)


def stale_imports(*, user: Any, root_path: str, now: datetime) -> StaleImports:
    """The enabled imports of the subtree at `root_path` that the user manages whose last
    finished run failed or that are late, failed first, then by name; at most
    SIGHTLINE_DASHBOARD_IMPORTS_SHOWN listed. One query (none for someone who manages
    nothing: the filter is empty); lateness is the reminder's rule (connections.schedules)."""
    finished = ImportRun.objects.filter(
        import_job=OuterRef("pk"),
        status__in=[ImportRun.Status.SUCCEEDED, ImportRun.Status.FAILED],
    ).order_by("-finished_at", "-pk")
    imports = (
        Import.objects.filter(enabled=True, org_unit__path__startswith=root_path)
        .filter(managed_q(user, "org_unit__path"))
        .select_related("org_unit", "owner")
        .annotate(
            last_success=Max(
                "runs__finished_at", filter=Q(runs__status=ImportRun.Status.SUCCEEDED)
            ),
            last_status=Subquery(finished.values("status")[:1]),
            last_error=Subquery(finished.values("error")[:1]),
        )
        .order_by("name", "pk")
    )
    stale = []
    for import_job in imports:
        failed = import_job.last_status == ImportRun.Status.FAILED
        since = late_since(
            schedule=import_job.schedule,
            last_success=import_job.last_success,
            created_at=import_job.created_at,
            now=now,
        )
        if failed or since is not None:
            error = import_job.last_error if failed else ""
            stale.append(Stale(import_job, failed=failed, error=error, late_since=since))
    stale.sort(key=lambda item: not item.failed)  # stable: by name within each group
    return StaleImports(count=len(stale), shown=stale[: settings.SIGHTLINE_DASHBOARD_IMPORTS_SHOWN])
