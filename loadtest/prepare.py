"""The organization a load test runs against, and its plan: who signs in, which pages each
reads, and which (KPI, period) each writer may write without stepping on another.

Every simulated person has an account of their own (`load-executive-3`, `load-owner-7`, ...)
so that no two share a session or a per-person rate, and every writer owns KPIs no other
writer touches: the check afterwards can then say, for each (KPI, period), which value the
last acknowledged write left there."""

import random
from dataclasses import asdict, dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from kpis import services as kpi_services
from kpis.models import KPI, Actual, Target
from scorecard import services as core_services
from scorecard.models import Membership, OrgUnit

PASSWORD = "sightline-load-test"  # a throwaway database's accounts, on loopback only
WRITABLE_TYPES = {KPI.TargetType.AT_LEAST, KPI.TargetType.AT_MOST}
# A person owns a dozen KPIs, not a thousandth of a 1,000-unit organization's 20,000: with
# all of them shared out among 15 owners, each owned 1,300 in 970 units, and My updates
# listed them all (2.3 s of CPU a page).
KPIS_PER_OWNER = 12


@dataclass
class Writer:
    username: str
    # [{"kpi": id, "period": key, "base": "12.5", "unit": slug}]
    cells: list[dict] = field(default_factory=list)
    unit: str = ""  # a manager's own unit (its scorecard is the one the manager reads)


@dataclass
class Plan:
    password: str
    executives: list[str]
    owners: list[Writer]
    managers: list[Writer]
    units: list[str]  # slugs the executives read, every level of the tree
    kpi_pages: list[list]  # [[unit slug, KPI id], ...] for KPI detail pages

    def as_json(self) -> dict:
        return asdict(self)


class _DryRun(Exception):
    """Raised inside a savepoint to undo a write that only checked the rules."""


def _writes(write) -> bool:
    """Whether the write passes every rule of its service (locks, fed KPIs, the period's
    grain, red comments): tried in a savepoint and rolled back, so the plan holds only
    writes the server will take."""
    try:
        with transaction.atomic():
            write()
            raise _DryRun
    except _DryRun:
        return True
    except ValidationError:
        return False


def _account(username: str):
    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": "Load", "last_name": username.split("-")[-1]}
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def _grant(user, unit: OrgUnit, role: str) -> None:
    """The role, unless a plan built before (on the same database) granted it already."""
    if not Membership.objects.filter(user=user, org_unit=unit, role=role).exists():
        core_services.membership_grant(user=user, org_unit=unit, role=role)


def _latest(rows: QuerySet) -> dict:
    """{KPI id: its row (actual or target) of the latest period}."""
    latest: dict = {}
    for row in rows.select_related("period"):
        held = latest.get(row.kpi_id)
        if held is None or row.period.start > held.period.start:
            latest[row.kpi_id] = row
    return latest


def _actual_cells(kpis: list[KPI]) -> list[dict]:
    """For each entered KPI, its latest period with an actual, if it may be written again."""
    latest: dict[int, Actual] = _latest(Actual.objects.filter(kpi__in=kpis))
    cells = []
    for kpi in kpis:
        if kpi.pk not in latest or latest[kpi.pk].value is None:
            continue
        actual = latest[kpi.pk]

        def write(kpi=kpi, actual=actual) -> None:
            kpi_services.actual_enter(
                kpi=kpi, period=actual.period, value=actual.value, comment="load test"
            )

        if _writes(write):
            cells.append({"kpi": kpi.pk, "period": actual.period.key, "base": str(actual.value)})
    return cells


def _target_cells(kpis: list[KPI]) -> list[dict]:
    """For each KPI, its latest period with a target, if that target may be set again."""
    latest: dict[int, Target] = _latest(Target.objects.filter(kpi__in=kpis))
    cells = []
    for kpi in kpis:
        target = latest.get(kpi.pk)
        if target is None or target.value is None or target.value_high is not None:
            continue

        def write(kpi=kpi, target=target) -> None:
            kpi_services.target_set(
                kpi=kpi, period=target.period, value=target.value, red_flag=target.red_flag
            )

        if _writes(write):
            # Targets move only away from their red flag (up for "at least", down for "at
            # most"), so a changed target never crosses the red flag it keeps.
            up = kpi.target_type == KPI.TargetType.AT_LEAST
            cells.append(
                {
                    "kpi": kpi.pk,
                    "period": target.period.key,
                    "base": str(target.value),
                    "red_flag": None if target.red_flag is None else str(target.red_flag),
                    "factors": [100, 105] if up else [95, 100],
                }
            )
    return cells


def _writable_kpis():
    return (
        KPI.objects.filter(
            source=KPI.Source.MANUAL, target_type__in=WRITABLE_TYPES, archived_at__isnull=True
        )
        .select_related("objective__scorecard__org_unit")
        .order_by("pk")
    )


def build_plan(*, executives: int, owners: int, managers: int, seed: int = 18) -> Plan:
    """Accounts and cells for that many simulated people of each kind. Owners take the
    entered KPIs round-robin, at most KPIS_PER_OWNER each (each KPI's owner becomes its
    simulated owner, through the services, as an administrator would reassign it); managers
    take whole units."""
    rng = random.Random(seed)
    root = OrgUnit.objects.get_root_nodes().first()
    units = list(OrgUnit.objects.order_by("path"))
    executive_names = []
    for number in range(1, executives + 1):
        user = _account(f"load-executive-{number}")
        _grant(user, root, Membership.Role.VIEWER)
        executive_names.append(user.username)

    kpis = list(_writable_kpis())
    owner_writers = [Writer(f"load-owner-{number}") for number in range(1, owners + 1)]
    owned: dict[str, list[KPI]] = {writer.username: [] for writer in owner_writers}
    # Spread over the organization: in a large one, every so many KPIs.
    stride = max(1, len(kpis) // (owners * KPIS_PER_OWNER))
    for index, kpi in enumerate(kpis[::stride][: owners * KPIS_PER_OWNER]):
        writer = owner_writers[index % owners]
        owned[writer.username].append(kpi)
    for writer in owner_writers:
        user = _account(writer.username)
        for unit in {kpi.objective.scorecard.org_unit for kpi in owned[writer.username]}:
            _grant(user, unit, Membership.Role.OWNER)
        for kpi in owned[writer.username]:
            kpi_services.kpi_update(kpi=kpi, owner=user)
        cells = _actual_cells(owned[writer.username])
        unit_of = {kpi.pk: kpi.objective.scorecard.org_unit.slug for kpi in owned[writer.username]}
        writer.cells = [{**cell, "unit": unit_of[cell["kpi"]]} for cell in cells]

    # Managers: the units with the most writable KPIs, one unit each, none shared.
    by_unit: dict[int, list[KPI]] = {}
    for kpi in kpis:
        by_unit.setdefault(kpi.objective.scorecard.org_unit_id, []).append(kpi)
    busiest = sorted(by_unit, key=lambda unit_id: (-len(by_unit[unit_id]), unit_id))[:managers]
    unit_by_id = {unit.pk: unit for unit in units}
    manager_writers = []
    for number, unit_id in enumerate(busiest, start=1):
        unit = unit_by_id[unit_id]
        user = _account(f"load-manager-{number}")
        _grant(user, unit, Membership.Role.MANAGER)
        cells = [{**cell, "unit": unit.slug} for cell in _target_cells(by_unit[unit_id])]
        manager_writers.append(Writer(user.username, cells, unit=unit.slug))

    kpi_pages = [[kpi.objective.scorecard.org_unit.slug, kpi.pk] for kpi in kpis]
    rng.shuffle(kpi_pages)
    return Plan(
        password=PASSWORD,
        executives=executive_names,
        owners=owner_writers,
        managers=manager_writers,
        units=[unit.slug for unit in units],
        kpi_pages=kpi_pages[:200],
    )
