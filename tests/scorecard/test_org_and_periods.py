"""The org tree, scorecards, perspectives and periods: the rules the core keeps."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from scorecard import services
from scorecard.models import FISCAL_START_LOCKED, OrgUnit, Period, Perspective, Scorecard


def test_it_seeds_the_four_classic_perspectives_bottom_up(db):
    names = list(Perspective.objects.order_by("order").values_list("order", "name"))

    assert names == [
        (1, "Learning & Growth"),
        (2, "Internal Process"),
        (3, "Customer"),
        (4, "Financial"),
    ]


def test_it_refuses_a_second_scorecard_for_a_unit(org):
    with pytest.raises(ValidationError) as refused:
        services.scorecard_create(org_unit=org.north, title="Another one")

    assert refused.value.message_dict["org_unit"] == [
        services.SECOND_SCORECARD.format(unit="North")
    ]
    assert Scorecard.objects.filter(org_unit=org.north).count() == 1


def test_the_database_also_refuses_a_second_scorecard(org):
    with pytest.raises(IntegrityError), transaction.atomic():
        Scorecard.objects.create(org_unit=org.north, title="Sneaked in")


def test_it_refuses_a_second_top_unit(org):
    with pytest.raises(ValidationError) as refused:
        services.org_unit_create(name="Other corp", kind="enterprise")

    assert refused.value.message_dict["parent"] == [services.SECOND_ROOT]
    assert OrgUnit.objects.count() == 5


def test_it_reads_a_subtree_in_one_query(org, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = [unit.name for unit in OrgUnit.objects.filter(path__startswith=org.north.path)]

    assert names == ["North", "North Sales"]


@pytest.mark.parametrize("label", ["FY2026-Q5", "2026-Q3", "FY26-Q1", "", "Q3 2026", "FY2026_Q1"])
def test_it_refuses_an_unknown_or_malformed_period_label(db, label):
    with pytest.raises(ValidationError) as refused:
        services.period_for_key(label)

    assert "FY2026-Q3" in refused.value.message_dict["period"][0]
    assert not Period.objects.exists()


def test_it_creates_each_period_once_with_its_dates(db):
    first = services.period_for_key("FY2026-Q3")
    again = services.period_for_key("FY2026 Q3")

    assert first == again
    assert (first.start.isoformat(), first.end.isoformat()) == ("2026-07-01", "2026-09-30")
    assert (first.label, first.key) == ("FY2026 Q3", "FY2026-Q3")


def test_it_names_fiscal_years_by_the_year_they_end_in(db):
    services.organization_settings_update(fiscal_start_month=7)

    period = services.period_for_key("FY2027-Q1")

    assert (period.start.isoformat(), period.end.isoformat()) == ("2026-07-01", "2026-09-30")


def test_it_keeps_the_fiscal_start_month_once_quarters_hold_data(db):
    services.period_for_key("FY2026-Q1")

    with pytest.raises(ValidationError) as refused:
        services.organization_settings_update(fiscal_start_month=4)

    assert refused.value.message_dict["fiscal_start_month"] == [FISCAL_START_LOCKED]
