"""The demo's people, units, roles, objectives, KPIs and strategy maps, written through the
services the pages use."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from demo.specs import KpiSpec, PersonSpec, UnitSpec
from demo.state import DemoState
from kpis import services as kpi_services
from kpis.models import KPI
from scorecard import services as core
from scorecard.models import OrgUnit, Perspective
from strategy import services as strategy_services
from strategy.models import Objective

DEMO_PASSWORD = "sightline-demo"


def create_people(demo: DemoState) -> None:
    user_model = get_user_model()
    # One slow hash for every account: they all share the documented demo password.
    password = make_password(DEMO_PASSWORD)
    for person in demo.catalogue.people:
        user = user_model.objects.filter(username=person.username).first()
        if user is None:
            user = _create_user(person, password)
        else:
            demo.summary.kept_accounts.append(person.username)
        demo.people[person.username] = user


def _create_user(person: PersonSpec, password: str):
    user = get_user_model()(
        username=person.username,
        first_name=person.first_name,
        last_name=person.last_name,
        email=f"{person.username}@northwind.example",
        is_superuser=person.is_superuser,
        is_staff=person.is_superuser,
        password=password,
    )
    user.full_clean()
    user.save()
    return user


def create_units(demo: DemoState) -> None:
    for spec in demo.catalogue.units:
        parent = demo.units[spec.parent] if spec.parent else None
        unit = core.org_unit_create(name=spec.name, kind=spec.kind, parent=parent, slug=spec.slug)
        core.scorecard_create(
            org_unit=unit, title=f"{spec.name} scorecard", description=spec.description
        )
        demo.units[spec.key] = unit
    # The tree keeps siblings sorted by name, so adding "Finance" after "Operations"
    # rewrites the paths of siblings already in the database; the instances held here
    # would carry stale paths into every permission check. Read them back once.
    fresh = OrgUnit.objects.select_related("scorecard").in_bulk(
        [unit.pk for unit in demo.units.values()]
    )
    demo.units = {key: fresh[unit.pk] for key, unit in demo.units.items()}
    demo.summary.units = len(demo.units)


def grant_roles(demo: DemoState) -> None:
    # Before anything gets an owner: the services refuse owners without a role, and the
    # policy caches a person's roles on first use.
    for person in demo.catalogue.people:
        for unit_key, role in person.roles:
            core.membership_grant(
                user=demo.people[person.username], org_unit=demo.units[unit_key], role=role
            )


def create_strategy(demo: DemoState) -> None:
    """Every unit's objectives with their KPIs, then its strategy map's links."""
    demo.perspectives = {p.order: p for p in Perspective.objects.all()}
    for unit in demo.catalogue.units:
        _create_unit_strategy(demo, unit)


def _create_unit_strategy(demo: DemoState, unit: UnitSpec) -> None:
    scorecard = demo.units[unit.key].scorecard
    for goal in unit.objectives:
        objective = strategy_services.objective_create(
            scorecard=scorecard,
            perspective=demo.perspectives[goal.perspective],
            title=goal.title,
            code=goal.code,
            owner=demo.people[goal.owner],
            supports=[demo.objectives[key] for key in goal.supports],
        )
        demo.objectives[goal.key] = objective
        for spec in goal.kpis:
            demo.kpis[spec.key] = _create_kpi(demo, objective, spec)
    for arrow in unit.links:
        strategy_services.link_create(
            scorecard=scorecard,
            source=demo.objectives[arrow.source],
            target=demo.objectives[arrow.target],
            note=arrow.note,
        )


def _create_kpi(demo: DemoState, objective: Objective, spec: KpiSpec) -> KPI:
    tolerance = spec.tolerance or f"{demo.numbers[spec.key].tolerance_pct:g}"
    kpi = kpi_services.kpi_create(
        objective=objective,
        name=spec.name,
        code=spec.code,
        description=spec.description,
        data_source=spec.data_source,
        baseline=None if spec.baseline is None else Decimal(spec.baseline),
        unit=spec.unit,
        decimals=spec.decimals,
        direction=spec.direction,
        indicator_type=spec.indicator,
        owner=demo.people[spec.owner],
        weight=Decimal(spec.weight),
        tolerance_pct=Decimal(tolerance),
        source=(
            KPI.Source.ROLLUP
            if spec.rollup
            else KPI.Source.FORMULA
            if spec.formula
            else KPI.Source.MANUAL
        ),
        rollup_method=spec.rollup,
        formula=spec.formula or "",
        rolls_up_to=demo.kpis[spec.up_to] if spec.up_to else None,
        **({"target_type": spec.target_type} if spec.target_type else {}),
        **({"levels": list(spec.levels)} if spec.levels else {}),
        frequency=spec.frequency,
        **({"time_aggregation": spec.time_aggregation} if spec.time_aggregation else {}),
    )
    demo.summary.kpis += 1
    demo.summary.rollups += bool(spec.rollup)
    return kpi
