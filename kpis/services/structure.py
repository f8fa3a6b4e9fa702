"""The KPIs of an objective: create, edit, archive, delete and reorder them. Each write
recomputes the scores of the unit it touches once the transaction commits."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kpis import scoring
from kpis.models import KPI
from kpis.scheduling import recompute_on_commit
from kpis.services.changes import (
    check_children_stay_below,
    check_scoring_unchanged,
    stored_unit_id,
    units_holding,
)
from kpis.services.formulas import check_formula
from strategy.models import Objective
from strategy.services import check_owner_sees_unit, check_team_in_subtree, move_within

KPI_HAS_DATA = "This KPI has targets, actuals or child KPIs: archive it instead of deleting it."


@transaction.atomic
def kpi_create(*, objective: Objective, name: str, by: Any = None, **fields) -> KPI:
    """`by`, the saving person, limits what a formula may refer to (`check_formula`)."""
    check_owner_sees_unit(owner=fields.get("owner"), unit=objective.scorecard.org_unit)
    check_team_in_subtree(team=fields.get("owning_team"), unit=objective.scorecard.org_unit)
    fields = _with_aggregation(_aligned_fields(fields, target_type=KPI.TargetType.AT_LEAST))
    kpi = KPI(objective=objective, name=name.strip(), **fields)
    if "order" not in fields:
        kpi.order = objective.kpis.count()
    kpi.full_clean()
    check_formula(kpi=kpi, by=by)
    kpi.save()
    recompute_on_commit(unit_ids=[unit_id_of(kpi)])
    return kpi


NON_NUMERIC_AGGREGATIONS = (
    KPI.TimeAggregation.LAST,
    KPI.TimeAggregation.MIN,
    KPI.TimeAggregation.MAX,
)


def _with_aggregation(fields: dict, current: str | None = None) -> dict:
    """A milestone or a level combines its periods by the last one, unless told otherwise
    (the default, average, does not apply to them)."""
    kind = fields.get("target_type")
    if kind in (KPI.TargetType.MILESTONE, KPI.TargetType.ORDINAL) and (
        "time_aggregation" not in fields and current not in NON_NUMERIC_AGGREGATIONS
    ):
        fields["time_aggregation"] = KPI.TimeAggregation.LAST
    return fields


def _aligned_fields(fields: dict, *, target_type: str, direction: str = scoring.UP) -> dict:
    """The fields with the target type and the direction agreeing (DESIGN.md section 4,
    "Target types"). `target_type` and `direction` are the KPI's current ones. A changed
    target type that is one-sided sets the direction; otherwise a one-sided type follows the
    direction (a KPI given only a direction gets at_least/at_most)."""
    fields = dict(fields)
    kind = fields.get("target_type", target_type)
    new_direction = fields.get("direction", direction)
    if kind != target_type and kind in scoring.ONE_SIDED:
        new_direction = scoring.ONE_SIDED[kind]
    elif new_direction != direction:
        kind = scoring.flipped(kind, new_direction)
    fields["target_type"], fields["direction"] = scoring.aligned(kind, new_direction)
    return fields


def unit_id_of(kpi: KPI) -> int:
    return kpi.objective.scorecard.org_unit_id


@transaction.atomic
def kpi_update(*, kpi: KPI, by: Any = None, **fields) -> KPI:
    """Change a KPI. Refused: a change of how it is scored while its targets depend on it,
    and a move that leaves the KPIs rolling up to it outside the units below it
    (`kpis.services.changes`). The old and the new chains are recomputed in every period."""
    objective = fields.get("objective", kpi.objective)
    if "owner" in fields:
        check_owner_sees_unit(owner=fields["owner"], unit=objective.scorecard.org_unit)
    if "owning_team" in fields or "objective" in fields:
        team = fields.get("owning_team", kpi.owning_team)
        check_team_in_subtree(team=team, unit=objective.scorecard.org_unit)
    if "target_type" in fields or "direction" in fields:
        stored = KPI.objects.filter(pk=kpi.pk).values("target_type", "direction").get()
        fields = _aligned_fields(
            fields, target_type=stored["target_type"], direction=stored["direction"]
        )
        fields = _with_aggregation(fields, kpi.time_aggregation)
    check_scoring_unchanged(kpi=kpi, fields=fields)
    unit_before = stored_unit_id(kpi)
    units_before = units_holding(kpi)
    for name, value in fields.items():
        setattr(kpi, name, value)
    kpi.full_clean()
    check_formula(kpi=kpi, by=by)
    if unit_id_of(kpi) != unit_before:
        check_children_stay_below(kpi=kpi)
    kpi.save()
    recompute_on_commit(unit_ids=units_before | units_holding(kpi))
    return kpi


@transaction.atomic
def kpi_archive(*, kpi: KPI) -> KPI:
    kpi.archived_at = timezone.now()
    kpi.save(update_fields=["archived_at"])
    recompute_on_commit(unit_ids=[unit_id_of(kpi)])
    return kpi


@transaction.atomic
def kpi_delete(*, kpi: KPI) -> None:
    """Delete a KPI that holds no data yet; one with data is archived instead."""
    if kpi.targets.exists() or kpi.actuals.exists() or kpi.rollup_children.exists():
        raise ValidationError(KPI_HAS_DATA)
    unit_id = unit_id_of(kpi)
    kpi.delete()
    recompute_on_commit(unit_ids=[unit_id])


@transaction.atomic
def kpi_move(*, kpi: KPI, step: int) -> None:
    """Move a KPI one place up (step -1) or down (+1) within its objective, renumbering the
    objective's KPIs 0, 1, 2… so the order stays dense."""
    siblings = list(
        KPI.objects.filter(objective_id=kpi.objective_id, archived_at__isnull=True).order_by(
            "order", "id"
        )
    )
    move_within(siblings, moved_pk=kpi.pk, step=step)
