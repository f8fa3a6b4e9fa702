"""Actuals and targets are entered at the KPI's own frequency (issue 15): a month for a
monthly KPI, a year for a yearly one; any other grain is refused with one clear message,
through the services and through the API, and nothing (no period either) is saved."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from kpis import services
from kpis.models import Actual, Target
from scorecard import selectors
from scorecard.models import Period

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mid_q4(time_machine):
    time_machine.move_to("2026-11-16 12:00Z", tick=False)


@pytest.fixture
def monthly_kpi(north_sales_kpi, people):
    return services.kpi_create(
        objective=north_sales_kpi.objective,
        name="Monthly orders",
        unit="orders",
        owner=people.owner,
        frequency="month",
    )


def test_a_monthly_kpi_refuses_a_quarter_and_a_quarterly_one_a_month(
    north_sales_kpi, monthly_kpi, people
):
    before = Period.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.actual_enter(
            kpi=monthly_kpi, period=selectors.period_lookup("FY2025-Q2"), value="3"
        )
    assert refused.value.message_dict == {
        "period": [
            "Monthly orders is reported monthly: enter it for a month such as 2026-03, "
            "not FY2025 Q2."
        ]
    }
    with pytest.raises(ValidationError) as refused:
        services.target_set(
            kpi=north_sales_kpi, period=selectors.period_lookup("2025-05"), value="100"
        )
    assert refused.value.message_dict == {
        "period": [
            "Regional revenue is reported quarterly: enter it for a quarter such as "
            "FY2026-Q3, not May 2025."
        ]
    }
    assert Period.objects.count() == before
    services.target_set(
        kpi=monthly_kpi, period=selectors.period_lookup("2025-05"), value=Decimal("10")
    )
    assert Target.objects.filter(kpi=monthly_kpi).get().period.key == "2025-05"


def test_the_api_answers_a_period_at_another_grain_with_400(monthly_kpi, people):
    api = APIClient()
    api.force_authenticate(people.manager)
    before = Period.objects.count()

    response = api.post(
        "/api/actuals/bulk/",
        [{"kpi": monthly_kpi.pk, "period": "FY2026", "value": "4"}],
        format="json",
    )

    assert response.status_code == 400
    assert "is reported monthly: enter it for a month such as 2026-03, not FY2026." in (
        response.content.decode()
    )
    assert not Actual.objects.exists()
    assert Period.objects.count() == before
