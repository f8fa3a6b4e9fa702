"""Writes with rules for objectives, the cascade and the strategy map's links."""

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from scorecard.models import OrgUnit, Perspective, Scorecard
from scorecard.rules import may
from scorecard.signals import structure_changed
from strategy.models import CausalLink, Objective

OWNER_CANNOT_SEE_UNIT = "{user} has no role on {unit} or above it, so cannot own this."
SUPPORTS_NOT_ANCESTOR = (
    '"{objective}" belongs to {unit}, which is not above {own}: an objective can only '
    "support objectives of the units above its own."
)
TITLE_REQUIRED = "Give the objective a title."


def check_owner_sees_unit(*, owner, unit: OrgUnit, field: str = "owner") -> None:
    if owner is not None and not may(owner, "scorecard.view_orgunit", unit):
        raise ValidationError({field: OWNER_CANNOT_SEE_UNIT.format(user=owner, unit=unit)})


@transaction.atomic
def objective_create(
    *,
    scorecard: Scorecard,
    perspective: Perspective,
    title: str,
    description: str = "",
    owner=None,
    owning_team: OrgUnit | None = None,
    weight: Decimal = Decimal("1"),
    order: int | None = None,
    supports: Iterable[Objective] = (),
) -> Objective:
    check_owner_sees_unit(owner=owner, unit=scorecard.org_unit)
    if order is None:
        order = scorecard.objectives.filter(perspective=perspective).count()
    objective = Objective(
        scorecard=scorecard,
        perspective=perspective,
        title=title.strip(),
        description=description,
        owner=owner,
        owning_team=owning_team,
        weight=weight,
        order=order,
    )
    objective.full_clean()
    objective.save()
    objective_set_supports(objective=objective, supports=supports)
    _scores_may_change(objective)
    return objective


def _scores_may_change(objective: Objective) -> None:
    structure_changed.send(sender=Objective, unit_ids=[objective.scorecard.org_unit_id])


@transaction.atomic
def objective_update(*, objective: Objective, **fields) -> Objective:
    supports = fields.pop("supports", None)
    if "owner" in fields:
        check_owner_sees_unit(owner=fields["owner"], unit=objective.scorecard.org_unit)
    if "title" in fields:
        fields["title"] = fields["title"].strip()
    for name, value in fields.items():
        setattr(objective, name, value)
    objective.full_clean()
    objective.save()
    if supports is not None:
        objective_set_supports(objective=objective, supports=supports)
    _scores_may_change(objective)
    return objective


def objective_set_supports(*, objective: Objective, supports: Iterable[Objective]) -> None:
    supported = list(supports)
    own_unit = objective.scorecard.org_unit
    for parent in supported:
        parent_unit = parent.scorecard.org_unit
        if parent_unit == own_unit or not own_unit.is_descendant_or_self(parent_unit):
            raise ValidationError(
                {
                    "supports": SUPPORTS_NOT_ANCESTOR.format(
                        objective=parent, unit=parent_unit, own=own_unit
                    )
                }
            )
    objective.supports.set(supported)


def objective_archive(*, objective: Objective) -> Objective:
    objective.archived_at = timezone.now()
    objective.save(update_fields=["archived_at"])
    _scores_may_change(objective)
    return objective


@transaction.atomic
def link_create(
    *, scorecard: Scorecard, source: Objective, target: Objective, note: str = ""
) -> CausalLink:
    # Two links created at once could each pass the cycle check and together close a loop;
    # locking the scorecard row makes link writes on one map take turns.
    Scorecard.objects.select_for_update().filter(pk=scorecard.pk).first()
    link = CausalLink(scorecard=scorecard, source=source, target=target, note=note)
    link.full_clean()
    link.save()
    return link


def link_delete(*, link: CausalLink) -> None:
    link.delete()
