"""Reads of the core that pages and the API share."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from scorecard import fiscal
from scorecard.models import Membership, OrganizationSettings, OrgUnit, Period, Scorecard
from scorecard.rules import visible_q


def visible_units(user: Any) -> QuerySet[OrgUnit]:
    # One query: the subtrees the user holds a role in, by materialised path.
    return OrgUnit.objects.filter(visible_q(user, "path"))


def org_units_visible_to(user) -> QuerySet[OrgUnit]:
    return visible_units(user).select_related("scorecard")


def visible_scorecards(user: Any) -> QuerySet[Scorecard]:
    return Scorecard.objects.filter(visible_q(user, "org_unit__path")).select_related("org_unit")


def visible_memberships(user: Any) -> QuerySet[Membership]:
    return Membership.objects.filter(visible_q(user, "org_unit__path"))


def active_users(user: Any) -> QuerySet:
    """Everyone who may be named as an owner or a participant, whoever asks: people are not
    hidden by units."""
    return get_user_model().objects.filter(is_active=True)


def periods_for_switcher(*, around: Period, before: int = 11, after: int = 1) -> list[Period]:
    """The quarters a period switcher offers: a few years back and the next quarter, newest
    first. Quarters without rows yet are listed too, so history can be opened."""
    quarter = around.as_fiscal_quarter(OrganizationSettings.load().fiscal_start_month)
    first = quarter
    for _ in range(before):
        first = first.previous()
    last = quarter
    for _ in range(after):
        last = last.next()
    wanted = fiscal.quarters_between(first, last)
    existing = {
        (p.fiscal_year, p.quarter): p
        for p in Period.objects.filter(
            fiscal_year__gte=first.fiscal_year, fiscal_year__lte=last.fiscal_year
        )
    }
    periods = [
        existing.get((q.fiscal_year, q.quarter))
        or Period(fiscal_year=q.fiscal_year, quarter=q.quarter, start=q.start, end=q.end)
        for q in wanted
    ]
    return list(reversed(periods))
