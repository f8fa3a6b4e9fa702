"""Each shared rule has one home; these test the home directly (issue 13, item 10)."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kpis.models import KPI, Target
from scorecard import services as core
from scorecard.fiscal import FiscalQuarter, shift_quarter
from scorecard.models import Membership, Period
from scorecard.selectors import may_own, people_who_may_own
from tests.factories import UserFactory

ARCHIVED_ON = date(2026, 4, 2)


def period_starting(day: date) -> Period:
    # The rule reads only the start; an unsaved quarter is enough.
    return Period(fiscal_year=2026, quarter=2, start=day, end=date(2026, 6, 30))


def archive(item, day: date = ARCHIVED_ON) -> None:
    item.archived_at = timezone.make_aware(datetime(day.year, day.month, day.day, 12))
    item.save(update_fields=["archived_at"])


DAY_BEFORE = period_starting(date(2026, 4, 1))
SAME_DAY = period_starting(date(2026, 4, 2))
DAY_AFTER = period_starting(date(2026, 4, 3))


@pytest.mark.django_db
class TestMembersOf:
    def test_an_archived_objective_is_a_member_of_periods_started_up_to_its_archiving(
        self, north_sales_kpi
    ):
        objective = north_sales_kpi.objective
        archive(objective)
        members = objective.scorecard.objectives
        assert list(members.members_of(DAY_BEFORE)) == [objective]
        assert list(members.members_of(SAME_DAY)) == [objective]
        assert list(members.members_of(DAY_AFTER)) == []

    def test_an_archived_kpi_is_a_member_of_periods_started_before_its_archiving(
        self, north_sales_kpi
    ):
        archive(north_sales_kpi)
        assert list(KPI.objects.members_of(DAY_BEFORE)) == [north_sales_kpi]
        assert list(KPI.objects.members_of(DAY_AFTER)) == []

    def test_a_kpi_under_an_archived_objective_follows_the_objective(self, north_sales_kpi):
        archive(north_sales_kpi.objective)
        assert list(KPI.objects.members_of(DAY_BEFORE)) == [north_sales_kpi]
        assert list(KPI.objects.members_of(DAY_AFTER)) == []

    def test_the_earlier_archive_date_decides(self, north_sales_kpi):
        archive(north_sales_kpi, date(2026, 5, 1))
        archive(north_sales_kpi.objective)  # 2 April, the earlier
        assert list(KPI.objects.members_of(period_starting(date(2026, 4, 20)))) == []

    def test_the_related_managers_know_the_rule(self, north_sales_kpi):
        archive(north_sales_kpi)
        assert list(north_sales_kpi.objective.kpis.members_of(DAY_AFTER)) == []


class TestShiftQuarter:
    @pytest.mark.parametrize(
        ("start", "steps", "expected"),
        [
            ((2026, 2), 1, (2026, 3)),
            ((2026, 4), 1, (2027, 1)),
            ((2026, 1), -1, (2025, 4)),
            ((2026, 1), -4, (2025, 1)),
            ((2026, 3), -11, (2023, 4)),
            ((2025, 3), 6, (2027, 1)),
            ((2026, 2), 0, (2026, 2)),
        ],
    )
    def test_it_crosses_year_ends_both_ways(self, start, steps, expected):
        assert shift_quarter(*start, steps) == expected

    def test_fiscal_quarters_step_with_it(self):
        q4 = FiscalQuarter(2026, 4, start_month=7)
        assert q4.next() == FiscalQuarter(2027, 1, start_month=7)
        assert FiscalQuarter(2027, 1, start_month=7).previous() == q4


@pytest.mark.django_db
class TestEffectiveRedFlag:
    def test_without_a_red_flag_the_default_lies_tolerance_below_the_target(self, north_sales_kpi):
        # Up KPI, tolerance 10 % (the default): 100 - 10 = 90.
        assert north_sales_kpi.tolerance_pct == Decimal("10")
        target = Target(kpi=north_sales_kpi, value=Decimal("100"))
        assert target.effective_red_flag() == Decimal("90")

    def test_an_explicit_red_flag_is_the_one(self, north_sales_kpi):
        target = Target(kpi=north_sales_kpi, value=Decimal("100"), red_flag=Decimal("75"))
        assert target.effective_red_flag() == Decimal("75")

    @pytest.mark.parametrize("red_flag", [Decimal("100"), Decimal("120")])
    def test_a_target_that_cannot_score_has_none(self, north_sales_kpi, red_flag):
        # Equal to the target, or on the good side of an up KPI.
        target = Target(kpi=north_sales_kpi, value=Decimal("100"), red_flag=red_flag)
        assert target.effective_red_flag() is None

    def test_a_target_without_a_value_has_none(self, north_sales_kpi):
        assert Target(kpi=north_sales_kpi, value=None).effective_red_flag() is None


@pytest.mark.django_db
class TestPeopleWhoMayOwn:
    def test_roles_on_the_unit_or_above_it_and_administrators(self, org, people):
        names = {user.username for user in people_who_may_own(org.north_sales)}
        # admin: an administrator; manager and executive: on Acme; north_manager: on North;
        # owner: on North Sales. Not south_team_manager (South Ops), not outsider.
        assert names == {"admin", "manager", "executive", "north_manager", "owner"}

    def test_inactive_people_may_not_own(self, org, people):
        people.owner.is_active = False
        people.owner.save()
        assert people.owner not in people_who_may_own(org.north_sales)
        assert not may_own(people.owner, org.north_sales)

    def test_the_check_reads_roles_fresh(self, org, people):
        newcomer = UserFactory(username="newcomer")
        assert not may_own(newcomer, org.north_sales)
        core.membership_grant(user=newcomer, org_unit=org.north, role=Membership.Role.VIEWER)
        assert may_own(newcomer, org.north_sales)
