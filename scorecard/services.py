"""Writes with rules for the core: the org tree, roles, periods, scorecards, settings."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
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

# The reads of periods are the selectors'; callers that import them from here get them too.
from scorecard.selectors import check_in_data_window, period_lookup
from scorecard.selectors import fiscal_start_month as fiscal_start_month
from scorecard.selectors import last_ended_period as last_ended_period
from scorecard.selectors import period_for_date as period_for_date
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


@transaction.atomic
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


@transaction.atomic
def period_open(period: fiscal.FiscalPeriod | Period) -> Period:
    """The stored row of this month, quarter or year, created when it has none yet; a new
    one announces itself (`period_opened`), which schedules its snapshots. Only writes open
    periods: a service writing into a period a page or the API only read (an unsaved Period
    from `period_lookup`) opens it here, inside its own transaction, so a refused write
    leaves none behind. Periods outside the data window are refused (ValidationError on
    `period`). Opening a period opens the longer ones that hold it too (a month's quarter
    and year, a quarter's year), so that the snapshots of every grain exist wherever data
    does (docs/decisions.md, issue 15)."""
    if isinstance(period, Period):
        if period.is_stored:
            return period
        period = period.as_fiscal(fiscal_start_month())
    check_in_data_window(period)
    fields = Period.fields_of(period)
    stored, created = Period.objects.get_or_create(
        grain=fields.pop("grain"), start=fields.pop("start"), defaults=fields
    )
    if created:
        period_opened.send(sender=Period, period_id=stored.pk)
        for grain in fiscal.GRAINS:
            if fiscal.is_finer(period.grain, grain):
                period_open(period.containing(grain))
    return stored


def period_for_key(key: str) -> Period:
    """Open the period named `2026-03`, `FY2026-Q3` or `FY2026` (commands, seeding, tests);
    raises ValidationError for a malformed key or one outside the data window. Pages and the
    API read with `scorecard.selectors.period_lookup`, which creates nothing."""
    return period_open(period_lookup(key))


# Openers by their older name: kept so that callers written before reads and writes of
# periods were split keep working.
period_for_quarter = period_open


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
