"""Writes with rules for the core: the org tree, roles, periods, scorecards, settings."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from treebeard.exceptions import InvalidMoveToDescendant

from scorecard import fiscal
from scorecard.models import (
    Membership,
    OrganizationSettings,
    OrgUnit,
    Period,
    Perspective,
    PerspectiveWeight,
    Scorecard,
)
from scorecard.signals import period_opened, structure_changed, unit_moving

SECOND_ROOT = "The organization already has a top unit; add this one under a parent."
SECOND_SCORECARD = "{unit} already has a scorecard; a unit has exactly one."
MOVE_INTO_OWN_SUBTREE = "A unit cannot move under itself or one of its own units."


def org_unit_create(
    *, name: str, kind: str, parent: OrgUnit | None = None, slug: str = ""
) -> OrgUnit:
    unit = OrgUnit(name=name, kind=kind, slug=slug or _free_slug(name))
    unit.full_clean(exclude=["path", "depth", "numchild"])
    if parent is None:
        if OrgUnit.objects.get_root_nodes().exists():
            raise ValidationError({"parent": SECOND_ROOT})
        return OrgUnit.objects.add_root(instance=unit)
    return OrgUnit.objects.add_child(parent, instance=unit)


def org_unit_update(
    *, unit: OrgUnit, name: str | None = None, kind: str | None = None, slug: str | None = None
) -> OrgUnit:
    if name is not None:
        unit.name = name
    if kind is not None:
        unit.kind = kind
    if slug is not None:
        unit.slug = slug
    unit.full_clean(exclude=["path", "depth", "numchild"])
    unit.save(update_fields=["name", "kind", "slug"])
    return unit


@transaction.atomic
def org_unit_move(*, unit: OrgUnit, parent: OrgUnit | None) -> OrgUnit:
    """Move the unit and its subtree under `parent`, as its last child; the unit comes back
    as stored after the move (the paths of the subtree change).

    Refused: a second top unit, a move into its own subtree, and whatever a layer above
    refuses when told `unit_moving` (the strategy layer: units whose scorecards have
    objectives, since the cascade and the roll-ups follow the tree)."""
    if parent is None:
        if unit.depth == 1:
            return unit
        raise ValidationError({"parent": SECOND_ROOT})
    if unit.path[: -OrgUnit.steplen] == parent.path:
        return unit
    if parent.path.startswith(unit.path):
        raise ValidationError({"parent": MOVE_INTO_OWN_SUBTREE})
    unit_moving.send(sender=OrgUnit, unit=unit)
    try:
        OrgUnit.objects.move(unit, parent, "last-child")
    except InvalidMoveToDescendant:
        raise ValidationError({"parent": MOVE_INTO_OWN_SUBTREE}) from None
    return OrgUnit.objects.get(pk=unit.pk)


def _free_slug(name: str) -> str:
    base = slugify(name)[:90] or "unit"
    slug, number = base, 2
    while OrgUnit.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def membership_grant(*, user, org_unit: OrgUnit, role: str) -> Membership:
    membership = Membership(user=user, org_unit=org_unit, role=role)
    membership.full_clean(validate_unique=False)
    membership, _ = Membership.objects.get_or_create(user=user, org_unit=org_unit, role=role)
    return membership


def membership_revoke(*, membership: Membership) -> None:
    membership.delete()


@transaction.atomic
def scorecard_create(*, org_unit: OrgUnit, title: str, description: str = "") -> Scorecard:
    if Scorecard.objects.filter(org_unit=org_unit).exists():
        raise ValidationError({"org_unit": SECOND_SCORECARD.format(unit=org_unit)})
    scorecard = Scorecard(org_unit=org_unit, title=title, description=description)
    scorecard.full_clean()
    scorecard.save()
    structure_changed.send(sender=Scorecard, unit_ids=[org_unit.pk])
    return scorecard


def scorecard_update(
    *, scorecard: Scorecard, title: str, description: str, org_unit: OrgUnit | None = None
) -> Scorecard:
    """Change the title and description. A scorecard stays with its unit: another
    `org_unit` is refused (Scorecard.clean)."""
    scorecard.title = title
    scorecard.description = description
    if org_unit is not None:
        scorecard.org_unit = org_unit
    scorecard.full_clean()
    scorecard.save()
    return scorecard


def perspective_weight_set(
    *, scorecard: Scorecard, perspective: Perspective, weight: Decimal
) -> PerspectiveWeight:
    row = PerspectiveWeight.objects.filter(scorecard=scorecard, perspective=perspective).first()
    row = row or PerspectiveWeight(scorecard=scorecard, perspective=perspective)
    row.weight = weight
    row.full_clean()
    row.save()
    structure_changed.send(sender=PerspectiveWeight, unit_ids=[scorecard.org_unit_id])
    return row


@transaction.atomic
def perspective_weight_reset(*, scorecard: Scorecard, perspective: Perspective) -> None:
    """Back to the default weight: a perspective without a row weighs 1."""
    deleted, _ = PerspectiveWeight.objects.filter(
        scorecard=scorecard, perspective=perspective
    ).delete()
    if deleted:
        structure_changed.send(sender=PerspectiveWeight, unit_ids=[scorecard.org_unit_id])


def fiscal_start_month() -> int:
    return OrganizationSettings.load().fiscal_start_month


def period_for_quarter(quarter: fiscal.FiscalQuarter) -> Period:
    period, created = Period.objects.get_or_create(
        fiscal_year=quarter.fiscal_year,
        quarter=quarter.quarter,
        defaults={"start": quarter.start, "end": quarter.end},
    )
    if created:
        period_opened.send(sender=Period, period_id=period.pk)
    return period


def period_for_key(key: str) -> Period:
    """The period named `FY2026-Q3` (or `FY2026 Q3`); raises ValidationError for bad ones."""
    try:
        quarter = fiscal.parse_period(key, fiscal_start_month())
    except ValueError as error:
        raise ValidationError({"period": str(error)}) from None
    return period_for_quarter(quarter)


def period_for_date(day: date) -> Period:
    return period_for_quarter(fiscal.quarter_of(day, fiscal_start_month()))


def last_ended_period(today: date | None = None) -> Period:
    """The latest quarter that has ended: the one pages open on by default."""
    today = today or timezone.localdate()
    return period_for_quarter(fiscal.quarter_of(today, fiscal_start_month()).previous())


@transaction.atomic
def organization_settings_update(**fields) -> OrganizationSettings:
    """Change the settings; the fiscal start month is fixed once quarters exist
    (OrganizationSettings.clean)."""
    current = OrganizationSettings.load()
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    return current
