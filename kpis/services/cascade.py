"""Cascading a KPI to the child units: a KPI in each, rolling up to the one cascaded."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kpis.models import KPI
from kpis.services.structure import kpi_create, kpi_update
from strategy.models import Objective
from strategy.services import child_units_of, free_code

CASCADE_KPI_NOT_CHILD = (
    "{unit} is not a unit directly below {own}: cascade to its child units only."
)
CASCADE_KPI_NO_UNITS = "Choose at least one child unit."
CASCADE_KPI_NEEDS_OBJECTIVE = "Choose the objective of {unit} that the new KPI measures."
CASCADE_KPI_OBJECTIVE_ELSEWHERE = '"{objective}" is not on the scorecard of {unit}.'
CASCADE_KPI_HAS_ACTUALS = (
    "This KPI already has entered actuals, so it cannot become a roll-up of child KPIs: "
    "create a new roll-up KPI instead."
)
CASCADE_KPI_ALREADY = '{unit} already has "{existing}" rolling up to this KPI.'
# The fields a cascaded KPI copies from its parent, so both speak the same measure.
CASCADED_FIELDS = (
    "description",
    "data_source",
    "unit",
    "decimals",
    "direction",
    "indicator_type",
    "tolerance_pct",
)


@transaction.atomic
def kpi_cascade(
    *,
    kpi: KPI,
    org_units: list,
    rollup_method: str,
    objectives: dict[int, Objective],
    owners: dict[int, Any] | None = None,
) -> list[KPI]:
    """Create a KPI in each chosen child unit, under the chosen objective of that unit's
    scorecard, rolling up to `kpi`, which becomes a roll-up KPI with `rollup_method`.
    All or nothing. Refused while `kpi` has entered actuals (they would be orphaned), and
    for a unit that already has a KPI rolling up to it (see docs/decisions.md)."""
    owners = owners or {}
    if not org_units:
        raise ValidationError({"org_units": CASCADE_KPI_NO_UNITS})
    own_unit = kpi.objective.scorecard.org_unit
    children = {unit.pk for unit in child_units_of(own_unit)}
    existing = {
        child.objective.scorecard.org_unit_id: child
        for child in kpi.rollup_children.filter(archived_at__isnull=True).select_related(
            "objective__scorecard"
        )
    }
    for unit in org_units:
        if unit.pk not in children:
            raise ValidationError(
                {"org_units": CASCADE_KPI_NOT_CHILD.format(unit=unit, own=own_unit)}
            )
        if unit.pk in existing:
            raise ValidationError(
                {"org_units": CASCADE_KPI_ALREADY.format(unit=unit, existing=existing[unit.pk])}
            )
        objective = objectives.get(unit.pk)
        if objective is None:
            raise ValidationError({"objectives": CASCADE_KPI_NEEDS_OBJECTIVE.format(unit=unit)})
        if objective.scorecard.org_unit_id != unit.pk:
            raise ValidationError(
                {
                    "objectives": CASCADE_KPI_OBJECTIVE_ELSEWHERE.format(
                        objective=objective, unit=unit
                    )
                }
            )
    if not kpi.is_rollup and kpi.actuals.exists():
        raise ValidationError({"kpi": CASCADE_KPI_HAS_ACTUALS})
    kpi_update(kpi=kpi, source=KPI.Source.ROLLUP, rollup_method=rollup_method)
    copied = {name: getattr(kpi, name) for name in CASCADED_FIELDS}
    return [
        kpi_create(
            objective=objectives[unit.pk],
            name=kpi.name,
            owner=owners.get(unit.pk),
            rolls_up_to=kpi,
            code=free_code(
                kpi.code, KPI.objects.filter(objective__scorecard=objectives[unit.pk].scorecard)
            ),
            **copied,
        )
        for unit in org_units
    ]
