"""A synthetic organization for measuring the engine and the pages at scale.

It is built with bulk inserts (not the services) so that building 48,000 actuals takes
seconds; the measurements then go through the real recompute and the real page."""

import gc
import gzip
import json
import random
import re
import statistics
import time
from dataclasses import dataclass
from decimal import Decimal

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kpis import memory_watch
from kpis.models import KPI, Actual, ScoreSnapshot, Target
from kpis.recompute import recompute_everything, recompute_units
from scorecard import fiscal, services
from scorecard.models import OrgUnit, Period, Perspective, Scorecard
from strategy.models import Objective

KINDS = ["enterprise", "division", "department", "team"]
METHODS = ["sum", "average", "weighted_average", "min", "max"]
RECOMPUTE_QUEUE = "rollups"
NOT_EMPTY = "The benchmark builds its own organization: point DATABASE_URL at an empty database."


@dataclass(frozen=True)
class Shape:
    units: int
    kpis_per_unit: int
    quarters: int
    # The share of KPIs reported monthly (issue 15), with monthly targets and actuals: whole
    # roll-up chains, by slot, so a roll-up and its children share their frequency.
    monthly_share: float = 0.33


def monthly_slots(shape: Shape) -> set[int]:
    """The KPI slots that are monthly: spread over the slots (roll-ups and entered KPIs
    alike), `monthly_share` of them rounded down."""
    share = shape.monthly_share
    return {
        slot
        for slot in range(shape.kpis_per_unit)
        if int((slot + 1) * share + 1e-9) > int(slot * share + 1e-9)
    }


def branching_for(units: int) -> int:
    """The smallest breadth b with 1 + b + b² + b³ ≥ units: a tree of depth 4."""
    breadth = 1
    while 1 + breadth + breadth**2 + breadth**3 < units:
        breadth += 1
    return breadth


def build_tree(units: int) -> list[OrgUnit]:
    """Breadth first, `units` in all, at most four levels."""
    breadth = branching_for(units)
    root = services.org_unit_create(name="Bench Enterprise", kind="enterprise", slug="bench")
    made, frontier = [root], [root]
    for depth in range(1, 4):
        next_frontier = []
        for parent in frontier:
            for number in range(breadth):
                if len(made) == units:
                    return made
                child = services.org_unit_create(
                    name=f"{parent.name} {number + 1}",
                    kind=KINDS[depth],
                    parent=parent,
                    slug=f"{parent.slug}-{number + 1}",
                )
                made.append(child)
                next_frontier.append(child)
        frontier = next_frontier
    return made


def build(shape: Shape) -> dict:
    if OrgUnit.objects.exists():
        raise ValueError(NOT_EMPTY)
    rng = random.Random(2026)
    units = build_tree(shape.units)
    unit_paths = {unit.path for unit in units}
    leaves = {
        u.path
        for u in units
        if not any(o.path.startswith(u.path) and o.path != u.path for o in units)
    }
    scorecards = Scorecard.objects.bulk_create(
        [Scorecard(org_unit=unit, title=f"{unit.name} scorecard") for unit in units]
    )
    perspectives = list(Perspective.objects.order_by("order"))
    objectives = Objective.objects.bulk_create(
        [
            Objective(
                scorecard=scorecard, perspective=p, title=f"Improve {p.name.lower()}", order=p.order
            )
            for scorecard in scorecards
            for p in perspectives
        ]
    )
    objective_of = {(o.scorecard_id, o.perspective_id): o for o in objectives}
    scorecard_of = {sc.org_unit_id: sc for sc in scorecards}
    parent_of = {u.path: u.path[: -OrgUnit.steplen] for u in units}
    by_path = {u.path: u for u in units}
    assert unit_paths
    rollup_slots = shape.kpis_per_unit // 2
    monthly = monthly_slots(shape)
    kpis: dict[tuple[str, int], KPI] = {}
    # Parents first, so a child can point at its parent's KPI.
    for unit in sorted(units, key=lambda u: u.depth):
        scorecard = scorecard_of[unit.pk]
        is_leaf = unit.path in leaves
        batch = []
        for slot in range(shape.kpis_per_unit):
            perspective = perspectives[slot % len(perspectives)]
            rolls_up = slot < rollup_slots and not is_leaf
            parent_kpi = kpis.get((parent_of[unit.path], slot)) if slot < rollup_slots else None
            batch.append(
                KPI(
                    objective=objective_of[(scorecard.pk, perspective.pk)],
                    name=f"Measure {slot + 1}",
                    unit=f"u{slot}",
                    direction="up" if slot % 3 else "down",
                    indicator_type="leading" if slot % 2 else "lagging",
                    weight=Decimal(1 + slot % 3),
                    source="rollup" if rolls_up else "manual",
                    rollup_method=METHODS[slot % len(METHODS)] if rolls_up else None,
                    rolls_up_to=parent_kpi,
                    order=slot,
                    frequency=KPI.Frequency.MONTH if slot in monthly else KPI.Frequency.QUARTER,
                )
            )
        for kpi, slot in zip(
            KPI.objects.bulk_create(batch), range(shape.kpis_per_unit), strict=True
        ):
            kpis[(unit.path, slot)] = kpi
    supports = Objective.supports.through
    supports.objects.bulk_create(
        [
            supports(
                from_objective_id=objective_of[(scorecard_of[unit.pk].pk, p.pk)].pk,
                to_objective_id=objective_of[
                    (scorecard_of[by_path[parent_of[unit.path]].pk].pk, p.pk)
                ].pk,
            )
            for unit in units
            if unit.depth > 1
            for p in perspectives
        ]
    )
    quarter = fiscal.quarter_of(timezone.localdate(), services.fiscal_start_month()).previous()
    periods: list[Period] = []
    months: list[Period] = []
    for _ in range(shape.quarters):
        periods.append(services.period_for_quarter(quarter))
        months.extend(services.period_open(month) for month in reversed(quarter.months()))
        quarter = quarter.previous()
    targets, actuals = [], []
    now = timezone.now()
    for kpi in kpis.values():
        for period in months if kpi.frequency == KPI.Frequency.MONTH else periods:
            targets.append(Target(kpi=kpi, period=period, value=Decimal(100)))
            if kpi.source == "manual":
                value = Decimal(rng.randint(8000, 12000)) / 100
                actuals.append(Actual(kpi=kpi, period=period, value=value, entered_at=now))
    Target.objects.bulk_create(targets, batch_size=5000)
    Actual.objects.bulk_create(actuals, batch_size=5000)
    return {"units": units, "kpis": kpis, "periods": periods, "months": months, "leaves": leaves}


def refresh_planner_statistics() -> None:
    """ANALYZE, as autovacuum does in production after a bulk load: right after inserting
    a hundred thousand rows PostgreSQL has no statistics for them and plans the recompute's
    reads as parallel scans of tables it believes empty, several times slower than on any
    database that has been running (measured: 7 ms against 20 ms for one read)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def measure_floor(rows_to_write: int, period_id: int, scorecard_id: int) -> float:
    """Read every actual and target in one query and write as many snapshot rows in one
    bulk statement: the least this work can cost on this database. Rolled back."""
    with transaction.atomic():
        ScoreSnapshot.objects.all().delete()
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT kpi_id, period_id, value, NULL FROM kpis_actual "
                "UNION ALL SELECT kpi_id, period_id, value, red_flag FROM kpis_target"
            )
            cursor.fetchall()
        now = timezone.now()
        ScoreSnapshot.objects.bulk_create(
            [
                ScoreSnapshot(
                    period_id=period_id,
                    scorecard_id=scorecard_id,
                    subject_type="kpi",
                    subject_id=number,
                    value=Decimal(1),
                    score=Decimal(5),
                    status="amber",
                    reported=1,
                    total=1,
                    computed_at=now,
                )
                for number in range(rows_to_write)
            ]
        )
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def measure(shape: Shape, *, workers: int = 0) -> dict:
    built = build(shape)
    periods, kpis, leaves = built["periods"], built["kpis"], built["leaves"]
    refresh_planner_statistics()
    gc.collect()
    memory = memory_watch.Peak()
    started = time.perf_counter()
    results = recompute_everything()
    full_recompute_s = time.perf_counter() - started
    process_peak_mb = memory.growth_mb()
    written = sum(result.written for result in results)
    on_workers = _measure_on_workers(workers, written) if workers else {}
    refresh_planner_statistics()
    latest = periods[0]
    enterprise = Scorecard.objects.get(org_unit__slug="bench")
    floor_s = measure_floor(written, latest.pk, enterprise.pk)
    # The floor's rolled-back rows lie in the enterprise scorecard's latest period, which
    # the incremental recompute below reads too (its chain ends there): vacuumed first.
    vacuum_snapshots()

    bottom = [kpi for (path, _), kpi in kpis.items() if path in leaves and kpi.source == "manual"]
    chosen = random.Random(7).sample(bottom, min(20, len(bottom)))
    timings, queries = [], []
    for kpi in chosen:
        # A write in the KPI's own latest period: a monthly KPI's is the quarter's last month
        # (its recompute reaches the quarter and the year that hold it).
        written_in = built["months"][0] if kpi.frequency == KPI.Frequency.MONTH else latest
        Actual.objects.filter(kpi=kpi, period=written_in).update(value=Decimal("91.5"))
        unit_id = Objective.objects.get(pk=kpi.objective_id).scorecard.org_unit_id
        # The query log holds 9,000 entries; once full, a capture would count nothing.
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            recompute_units(unit_ids=[unit_id], period_ids=[written_in.pk])
            timings.append(time.perf_counter() - started)
        queries.append(len(captured))

    page_s, page_queries = _measure_page(latest.key)
    dashboard = _measure_dashboard(latest.key, built["units"])
    return {
        "units": shape.units,
        "kpis": len(kpis),
        "actuals": Actual.objects.count(),
        "targets": Target.objects.count(),
        "quarters": shape.quarters,
        "monthly_kpis": sum(1 for kpi in kpis.values() if kpi.frequency == KPI.Frequency.MONTH),
        "snapshots": written,
        "full_recompute_s": round(full_recompute_s, 4),
        "floor_s": round(floor_s, 4),
        "full_to_floor": round(full_recompute_s / floor_s, 2) if floor_s else None,
        # The recompute's own memory: a fresh worker's growth when workers ran it, else this
        # process's (its peak RSS over what it held before; Linux only, else None).
        "full_recompute_peak_mb": on_workers.get("peak_mb", process_peak_mb),
        "full_recompute_peak_of": "worker" if on_workers else "process",
        "workers": workers,
        "full_recompute_workers_s": on_workers.get("seconds"),
        "workers_speedup": (
            round(full_recompute_s / on_workers["seconds"], 2) if on_workers else None
        ),
        "incremental_recompute_s": round(statistics.median(timings), 4),
        "incremental_queries": max(queries),
        "scorecard_page_s": round(page_s, 4),
        "scorecard_page_queries": page_queries,
        **dashboard,
        "database": connection.vendor,
    }


def _measure_on_workers(count: int, expected_written: int) -> dict:
    """The full recompute again, from no snapshots, shared out among `count` real Celery
    workers (fresh processes on the configured Redis and database, `--pool solo`): its time,
    and the most any one worker's memory grew. It must write what the in-process run wrote."""
    from kpis import recompute, tasks, waiting

    ScoreSnapshot.objects.all().delete()
    refresh_planner_statistics()
    # The build queued recomputes for the periods it opened (no worker was there to take
    # them); fresh workers would run them alongside the jobs measured here.
    with current_app.connection_for_write() as broker:
        broker.default_channel.queue_purge(RECOMPUTE_QUEUE)
    waiting.forget()
    with memory_watch.workers_running(count, queue=RECOMPUTE_QUEUE) as pids:
        peaks = [memory_watch.Peak(pid) for pid in pids]
        started = time.perf_counter()
        results = tasks.run_on_workers(recompute.full_stages(), timeout=3600)
        seconds = time.perf_counter() - started
        grown = [peak.growth_mb() for peak in peaks]
    written = sum(result.written for result in results)
    if written != expected_written:
        raise RuntimeError(f"The workers wrote {written} snapshots, not {expected_written}.")
    present = [mb for mb in grown if mb is not None]
    return {"seconds": round(seconds, 4), "peak_mb": max(present) if present else None}


def vacuum_snapshots() -> None:
    """VACUUM the snapshot table before the pages are timed, as autovacuum does in
    production. The floor measurement writes as many snapshot rows as the full recompute,
    into the enterprise scorecard and the latest period, and rolls them back: a million dead
    rows at 1,000 units, exactly in the index ranges the enterprise scorecard page and the
    dashboard read, which then visit them all (measured: the page's snapshot read 90 ms
    before, under 2 ms after; issue 18). No page of a running database meets that debt."""
    # VACUUM runs outside a transaction only: not in a test's, which holds no dead rows.
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE kpis_scoresnapshot")


def _measure_page(period_key: str) -> tuple[float, int]:
    vacuum_snapshots()
    user, _ = get_user_model().objects.get_or_create(
        username="benchmark", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(user)
    url = reverse("scorecard:scorecard", args=["bench"]) + f"?period={period_key}"
    client.get(url)
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"The scorecard page answered {response.status_code}.")
    return median_time(client, url), len(captured)


# Pages are timed as the median of this many requests (issue 18): one request on a shared
# machine varied by half its time between runs.
PAGE_SAMPLES = 7


def median_time(client: Client, url: str) -> float:
    timings = []
    for _ in range(PAGE_SAMPLES):
        started = time.perf_counter()
        client.get(url)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


ASSET_PATTERN = re.compile(r'<(?:script[^>]* src|link[^>]* href)="([^"]+)"')


def _measure_dashboard(period_key: str, units: list[OrgUnit]) -> dict:
    """The executive dashboard of the whole organization as a first visit opens it (the
    root and its children): server time, queries, and the bytes it transfers with gzip,
    the page and every script and stylesheet it loads. Then what opening every unit costs
    ("Expand all", issue 18): the page loads one branch per request (the unit's children),
    so `dashboard_expanded_s` is the slowest of the requests that open every branch below
    the root's children, with their number and the most queries one of them ran."""
    user = get_user_model().objects.get(username="benchmark")
    client = Client()
    client.force_login(user)
    url = reverse("dashboard:home") + f"?root=bench&period={period_key}"
    client.get(url)
    # Counted by a wrapper rather than CaptureQueriesContext, whose log is a bounded deque:
    # once the build has filled it, a slice of it counts nothing.
    statements: list[str] = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"The dashboard answered {response.status_code}.")
    page_queries = len(statements)
    elapsed = median_time(client, url)
    slowest, most_queries, requests = 0.0, 0, 0
    # The root's branch is open on the first visit; every other unit with children is one
    # request (fresh from the database: the build's objects do not know their children).
    for unit in OrgUnit.objects.filter(pk__in=[u.pk for u in units], numchild__gt=0, depth__gt=1):
        branch = reverse("dashboard:branch", args=[unit.slug]) + f"?root=bench&period={period_key}"
        statements.clear()
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            answer = client.get(branch)
            took = time.perf_counter() - started
        if answer.status_code != 200:
            raise RuntimeError(f"The dashboard's branch {unit.slug} answered {answer.status_code}.")
        slowest, most_queries = max(slowest, took), max(most_queries, len(statements))
        requests += 1
    html = response.content.decode()
    transferred = len(gzip.compress(response.content))
    for address in ASSET_PATTERN.findall(html):
        transferred += len(gzip.compress(_asset(client, address)))
    return {
        "dashboard_s": round(elapsed, 4),
        "dashboard_queries": page_queries,
        "dashboard_bytes": transferred,
        "dashboard_expanded_s": round(slowest, 4),
        "dashboard_expanded_requests": requests,
        "dashboard_branch_queries": most_queries,
    }


def _asset(client: Client, address: str) -> bytes:
    if address.startswith(settings.STATIC_URL):
        found = finders.find(address.removeprefix(settings.STATIC_URL))
        if not found:
            raise RuntimeError(f"The dashboard loads {address}, which is not a static file.")
        with open(found, "rb") as file:
            return file.read()
    return client.get(address).content


def write_json(figures: dict, path: str) -> None:
    with open(path, "w") as file:
        json.dump(figures, file, indent=2)
