"""Reads of the core that pages and the API share."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from scorecard import fiscal
from scorecard.models import Membership, OrganizationSettings, OrgUnit, Period, Scorecard
from scorecard.rules import MANAGER, grants_of, is_administrator, visible_q


def visible_units(user: Any) -> QuerySet[OrgUnit]:
    # One query: the subtrees the user holds a role in, by materialised path.
    return OrgUnit.objects.filter(visible_q(user, "path"))


def people_who_may_own(unit: OrgUnit) -> QuerySet:
    """The one answer to "who may own the unit's objectives and KPIs": active people who
    may read the unit (`scorecard.view_orgunit`): a role on it or on a unit above it, or an
    administrator. The editor offers them; the services refuse anyone else."""
    above_or_on = [unit.path[:end] for end in range(OrgUnit.steplen, len(unit.path) + 1, 4)]
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(memberships__org_unit__path__in=above_or_on))
        .distinct()
        .order_by("username")
    )


def may_own(user: Any, unit: OrgUnit) -> bool:
    """Whether the person is one of `people_who_may_own(unit)` (read fresh, not from the
    roles cached on the user object)."""
    return people_who_may_own(unit).filter(pk=user.pk).exists()


def org_units_visible_to(user) -> QuerySet[OrgUnit]:
    return visible_units(user).select_related("scorecard")


def top_units_visible_to(user: Any, *, limit: int) -> tuple[list[OrgUnit], bool]:
    """At most `limit` units with a scorecard that the person may see, the top of the tree
    first (by depth, then in tree order), and whether there are more. One query."""
    units = list(
        org_units_visible_to(user)
        .filter(scorecard__isnull=False)
        .order_by("depth", "path")[: limit + 1]
    )
    return units[:limit], len(units) > limit


def units_named_like(units: QuerySet[OrgUnit], text: str) -> QuerySet[OrgUnit]:
    """The units of `units` whose name holds `text` (any case), those whose name starts
    with it first, then the higher in the tree, then by name: what the unit picker offers
    and what the API's `?search=` answers. Without text, the units in tree order, so an
    empty picker offers the top of what one may see."""
    text = text.strip()
    if not text:
        return units.order_by("path")
    starts = Case(When(name__istartswith=text, then=Value(0)), default=Value(1))
    return (
        units.filter(name__icontains=text)
        .annotate(name_starts=starts)
        .order_by("name_starts", "depth", "name", "path")
    )


def units_to_pick(user: Any, *, text: str, with_scorecard: bool, limit: int) -> list[OrgUnit]:
    """The unit picker's answer: at most `limit` units the person may see (`visible_units`,
    the one rule) named like `text`, only those with a scorecard when the page it leads to
    is a scorecard's. One query, whatever the size of the tree: the database filters,
    orders and stops at the limit."""
    units = visible_units(user)
    if with_scorecard:
        units = units.filter(scorecard__isnull=False)
    return list(units_named_like(units, text)[:limit])


def visible_scorecards(user: Any) -> QuerySet[Scorecard]:
    return Scorecard.objects.filter(visible_q(user, "org_unit__path")).select_related("org_unit")


def visible_memberships(user: Any) -> QuerySet[Membership]:
    return Membership.objects.filter(visible_q(user, "org_unit__path"))


def active_users(user: Any) -> QuerySet:
    """Every active person, whoever asks. Only where any person may be named: a role granted
    to a newcomer (see `people_grantable_by`); elsewhere people are `visible_people`."""
    return get_user_model().objects.filter(is_active=True)


def visible_people(user: Any) -> QuerySet:
    """The people a person may name, as an owner, a facilitator, a participant or in a
    filter: active people who hold a role on a unit in a subtree they may read or on a unit
    above one (those may own its items, like `people_who_may_own`), the administrators when
    they hold a role at all, and themselves. An administrator names anyone.

    An id outside these is answered like an unknown one, so an outsider cannot tell whether
    a user id exists (issue 14)."""
    if is_administrator(user):
        return active_users(user)
    grants = grants_of(user)
    if not grants:
        return active_users(user).filter(pk=getattr(user, "pk", None) or 0)
    condition = Q(is_superuser=True) | Q(pk=user.pk)
    for path in {grant.path for grant in grants}:
        condition |= Q(memberships__org_unit__path__startswith=path)
        condition |= Q(memberships__org_unit__path__in=_paths_above(path))
    # The membership join repeats a person once per role: ids only, then one plain query.
    ids = get_user_model().objects.filter(condition).values("pk")
    return active_users(user).filter(pk__in=ids)


def people_grantable_by(user: Any) -> QuerySet:
    """Whom a person may name in a new membership: anyone active when they manage a unit
    (a role goes to a newcomer who holds none yet), else only `visible_people`."""
    if is_administrator(user) or any(grant.role == MANAGER for grant in grants_of(user)):
        return active_users(user)
    return visible_people(user)


def _paths_above(path: str) -> list[str]:
    return [path[:end] for end in range(OrgUnit.steplen, len(path), OrgUnit.steplen)]


# The settings pages' reads (administrators, who see everything) ------------------------------


def units_in_tree_order() -> QuerySet[OrgUnit]:
    """Every unit, each right after its parent (the materialised path sorts so), with its
    number of roles counted in the same query."""
    return OrgUnit.objects.order_by("path").annotate(role_count=Count("memberships"))


def roles_on_unit(unit: OrgUnit) -> QuerySet[Membership]:
    """The roles held on the unit itself (not those above it), with their people."""
    return (
        Membership.objects.filter(org_unit=unit)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username", "role")
    )


def roles_of_person(person: Any) -> QuerySet[Membership]:
    """The person's roles, with their units, in tree order."""
    return (
        Membership.objects.filter(user=person)
        .select_related("org_unit")
        .order_by("org_unit__path", "role")
    )


def people_with_roles() -> QuerySet:
    """Everyone, by last name, each with their roles and units: two queries in all."""
    roles = Prefetch(
        "memberships",
        queryset=Membership.objects.select_related("org_unit").order_by("org_unit__path", "role"),
    )
    return (
        get_user_model()
        .objects.order_by("last_name", "first_name", "username")
        .prefetch_related(roles)
    )


OUTSIDE_DATA_WINDOW = (
    "{period} is outside the data window FY{first}–FY{last}: choose a period of those fiscal years."
)


def fiscal_start_month() -> int:
    return OrganizationSettings.load().fiscal_start_month


def data_window(*, start_month: int | None = None, today: date | None = None) -> tuple[int, int]:
    """The first and last fiscal year in which periods are read or opened (settings
    SIGHTLINE_FIRST_FISCAL_YEAR and SIGHTLINE_LAST_FISCAL_YEAR_AHEAD, the years after
    today's fiscal year under `start_month`, the organization's if not given)."""
    today = today or timezone.localdate()
    this_year = fiscal.quarter_of(today, start_month or fiscal_start_month()).fiscal_year
    last = min(this_year + settings.SIGHTLINE_LAST_FISCAL_YEAR_AHEAD, fiscal.MAX_FISCAL_YEAR)
    return settings.SIGHTLINE_FIRST_FISCAL_YEAR, last


def check_in_data_window(period: fiscal.FiscalPeriod) -> None:
    """A period of any grain lies in the window when its fiscal year does."""
    first, last = data_window(start_month=period.start_month)
    if not first <= period.fiscal_year <= last:
        message = OUTSIDE_DATA_WINDOW.format(period=period.label, first=first, last=last)
        raise ValidationError({"period": message})


def period_at(period: fiscal.FiscalPeriod) -> Period:
    """The stored period of this month, quarter or year or, when none is stored yet, its
    unsaved stand-in (`Period.stand_in`), which reads as "no data" everywhere. Reading never
    creates a period; services open one (scorecard.services.period_open) when they write
    into it."""
    stored = Period.objects.filter(grain=period.grain, start=period.start)
    return stored.first() or Period.stand_in(period)


def parse_period_key(key: str) -> fiscal.FiscalPeriod:
    """The fiscal period named by `key` (`2026-03`, `FY2026-Q3` or `FY2026`) in the
    organization's calendar; a malformed key, or one outside the data window, raises
    ValidationError on `period`. Creates nothing."""
    try:
        period = fiscal.parse_any_period(key, fiscal_start_month())
    except ValueError as error:
        raise ValidationError({"period": str(error)}) from None
    check_in_data_window(period)
    return period


def period_lookup(key: str) -> Period:
    """The period named `2026-03`, `FY2026-Q3` (or `FY2026 Q3`) or `FY2026`, stored or not
    (see `period_at`). A malformed key, or one outside the data window, raises
    ValidationError on `period`."""
    return period_at(parse_period_key(key))


def period_for_date(day: date, grain: str = fiscal.QUARTER) -> Period:
    """The period of `grain` (a quarter unless told) that holds `day`, stored or not."""
    return period_at(fiscal.period_of(day, grain, fiscal_start_month()))


def last_ended_period(today: date | None = None, grain: str = fiscal.QUARTER) -> Period:
    """The latest period of `grain` (a quarter unless told) that has ended, stored or not:
    the last ended quarter is the one pages open on by default."""
    today = today or timezone.localdate()
    return period_at(fiscal.period_of(today, grain, fiscal_start_month()).previous())


def containing_periods(period: Period) -> list[Period]:
    """The longer periods that hold `period` (a month's quarter and year, a quarter's year),
    stored or not, shortest first. Two queries at most, none for a year."""
    start_month = fiscal_start_month()
    value = period.as_fiscal(start_month)
    longer = [g for g in fiscal.GRAINS if fiscal.is_finer(period.grain, g)]
    return [period_at(value.containing(grain)) for grain in longer]


@dataclass(frozen=True)
class GrainChoice:
    """One length a period switcher offers: the period of that grain to go to."""

    grain: str
    label: str
    key: str
    current: bool


def switcher_grains(period: Period) -> list[GrainChoice]:
    """Month, quarter and year, each with the period of that grain a click on it opens: the
    one that holds `period`, or for a finer grain its last sub-period (a year's Q4 and its
    last month). From the period's own fields: no query."""
    last_month = fiscal.month_key(period.end.year, period.end.month)
    quarter = fiscal.quarter_key(period.fiscal_year, period.quarter or fiscal.QUARTERS_PER_YEAR)
    keys = {
        fiscal.MONTH: period.key if period.grain == fiscal.MONTH else last_month,
        fiscal.QUARTER: quarter,
        fiscal.YEAR: fiscal.year_key(period.fiscal_year),
    }
    labels = {fiscal.MONTH: "Month", fiscal.QUARTER: "Quarter", fiscal.YEAR: "Year"}
    return [
        GrainChoice(grain, labels[grain], keys[grain], grain == period.grain)
        for grain in fiscal.GRAINS
    ]
