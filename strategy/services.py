"""Writes with rules for objectives, the cascade and the strategy map's links."""

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from scorecard.models import OrgUnit, Perspective, Scorecard
from scorecard.selectors import may_own
from scorecard.signals import structure_changed
from scorecard.text import person_name
from strategy.models import CausalLink, Objective

OWNER_CANNOT_SEE_UNIT = "{user} has no role on {unit} or above it, so cannot own this."
SUPPORTS_NOT_ANCESTOR = (
    '"{objective}" belongs to {unit}, which is not above {own}: an objective can only '
    "support objectives of the units above its own."
)
TITLE_REQUIRED = "Give the objective a title."
OWNING_TEAM_OUTSIDE = "{team} is not {unit} or a unit below it: choose a team of this unit."


def check_owner_sees_unit(*, owner, unit: OrgUnit, field: str = "owner") -> None:
    if owner is not None and not may_own(owner, unit):
        message = OWNER_CANNOT_SEE_UNIT.format(user=person_name(owner), unit=unit)
        raise ValidationError({field: message})


def check_team_in_subtree(*, team: OrgUnit | None, unit: OrgUnit) -> None:
    """An owning team is the unit itself or a unit below it, whatever path writes it (the
    editor offers only those; the admin goes through here too)."""
    if team is not None and not team.path.startswith(unit.path):
        raise ValidationError({"owning_team": OWNING_TEAM_OUTSIDE.format(team=team, unit=unit)})


@transaction.atomic
def objective_create(
    *,
    scorecard: Scorecard,
    perspective: Perspective,
    title: str,
    code: str = "",
    description: str = "",
    owner=None,
    owning_team: OrgUnit | None = None,
    weight: Decimal = Decimal("1"),
    order: int | None = None,
    supports: Iterable[Objective] = (),
) -> Objective:
    check_owner_sees_unit(owner=owner, unit=scorecard.org_unit)
    check_team_in_subtree(team=owning_team, unit=scorecard.org_unit)
    if order is None:
        order = scorecard.objectives.filter(perspective=perspective).count()
    objective = Objective(
        scorecard=scorecard,
        perspective=perspective,
        title=title.strip(),
        code=code,
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
    if "owning_team" in fields:
        check_team_in_subtree(team=fields["owning_team"], unit=objective.scorecard.org_unit)
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


@transaction.atomic
def objective_archive(*, objective: Objective) -> Objective:
    objective.archived_at = timezone.now()
    objective.save(update_fields=["archived_at"])
    _scores_may_change(objective)
    return objective


@transaction.atomic
def link_create(
    *, scorecard: Scorecard, source: Objective, target: Objective, note: str = ""
) -> CausalLink:
    _take_turns_on_map(scorecard)
    link = CausalLink(scorecard=scorecard, source=source, target=target, note=note)
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def link_update(*, link: CausalLink, **fields) -> CausalLink:
    """Change a link's note, or the objectives it joins (checked as a new link would be)."""
    _take_turns_on_map(link.scorecard)
    for name, value in fields.items():
        setattr(link, name, value)
    link.full_clean()
    link.save()
    return link


def _take_turns_on_map(scorecard: Scorecard) -> None:
    # Two links written at once could each pass the cycle check and together close a loop;
    # locking the scorecard row makes link writes on one map take turns.
    Scorecard.objects.select_for_update().filter(pk=scorecard.pk).first()


def link_delete(*, link: CausalLink) -> None:
    link.delete()


CASCADE_NOT_CHILD = "{unit} is not a unit directly below {own}: cascade to its child units only."
CASCADE_NO_SCORECARD = "{unit} has no scorecard yet: create it before cascading to it."
CASCADE_ALREADY = (
    '{unit} already has "{existing}" supporting this objective: it was cascaded there before.'
)
CASCADE_NO_UNITS = "Choose at least one child unit."
OBJECTIVE_HAS_CONTENT = (
    "This objective has KPIs, supporting objectives or links: archive it instead of deleting it."
)


def child_units_of(unit: OrgUnit) -> list[OrgUnit]:
    """The units directly below `unit`, by name (one query on the materialised path)."""
    return list(
        OrgUnit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1)
        .select_related("scorecard")
        .order_by("name")
    )


@transaction.atomic
def objective_cascade(
    *, objective: Objective, org_units: Iterable[OrgUnit], owners: dict[int, object] | None = None
) -> list[Objective]:
    """Create, in each chosen child unit's scorecard, an objective that supports `objective`:
    same perspective, same title, the owner chosen for that unit. All or nothing.

    Cascading twice to one unit is refused (see docs/decisions.md): the unit already serves
    the objective, and a silent second copy would split its KPIs and its score."""
    owners = owners or {}
    units = list(org_units)
    if not units:
        raise ValidationError({"org_units": CASCADE_NO_UNITS})
    own_unit = objective.scorecard.org_unit
    children = {unit.pk: unit for unit in child_units_of(own_unit)}
    existing = {
        supporter.scorecard.org_unit_id: supporter
        for supporter in objective.supporters.filter(archived_at__isnull=True).select_related(
            "scorecard"
        )
    }
    created = []
    for unit in units:
        child = children.get(unit.pk)
        if child is None:
            raise ValidationError({"org_units": CASCADE_NOT_CHILD.format(unit=unit, own=own_unit)})
        if unit.pk in existing:
            raise ValidationError(
                {"org_units": CASCADE_ALREADY.format(unit=unit, existing=existing[unit.pk])}
            )
        scorecard = getattr(child, "scorecard", None)
        if scorecard is None:
            raise ValidationError({"org_units": CASCADE_NO_SCORECARD.format(unit=unit)})
        created.append(
            objective_create(
                scorecard=scorecard,
                perspective=objective.perspective,
                title=objective.title,
                code=free_code(objective.code, Objective.objects.filter(scorecard=scorecard)),
                description=objective.description,
                owner=owners.get(unit.pk),
                supports=[objective],
            )
        )
    return created


def free_code(code: str, same_scorecard: QuerySet) -> str:
    """A cascaded copy keeps its parent's code (a child unit may reuse it), unless the child's
    scorecard already gives it to another item: then it starts without one."""
    if code and same_scorecard.filter(code=code).exists():
        return ""
    return code


@transaction.atomic
def objective_delete(*, objective: Objective) -> None:
    """Delete an objective that holds nothing yet; one with content is archived instead."""
    if (
        objective.kpis.exists()
        or objective.supporters.exists()
        or objective.links_in.exists()
        or objective.links_out.exists()
    ):
        raise ValidationError(OBJECTIVE_HAS_CONTENT)
    unit_id = objective.scorecard.org_unit_id
    objective.delete()
    structure_changed.send(sender=Objective, unit_ids=[unit_id])


@transaction.atomic
def objective_move(*, objective: Objective, step: int) -> None:
    """Move an objective one place up (step -1) or down (+1) within its perspective,
    renumbering the perspective's objectives 0, 1, 2… so the order stays dense."""
    siblings = list(
        Objective.objects.filter(
            scorecard_id=objective.scorecard_id,
            perspective_id=objective.perspective_id,
            archived_at__isnull=True,
        ).order_by("order", "id")
    )
    move_within(siblings, moved_pk=objective.pk, step=step)


def move_within(siblings: list, *, moved_pk: int, step: int) -> None:
    """Swap one item with its neighbour and renumber all `order` fields 0, 1, 2…, saving
    only the rows whose number changed (objectives here, KPIs in the KPI layer)."""
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == moved_pk)
    other = index + step
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        if sibling.order != position:
            sibling.order = position
            sibling.save(update_fields=["order"])
