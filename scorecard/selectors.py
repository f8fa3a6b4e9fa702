"""Reads of the core that pages and the API share."""

from django.db.models import QuerySet

from scorecard import fiscal
from scorecard.models import OrganizationSettings, OrgUnit, Period
from scorecard.rules import visible_q


def org_units_visible_to(user) -> QuerySet[OrgUnit]:
    # One query: the subtrees the user holds a role in, by materialised path.
    return OrgUnit.objects.filter(visible_q(user, "path")).select_related("scorecard")


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
