"""Finding 3 of issue 14: an actual of 99,999,999,999,999.999999 was accepted, and the sum
roll-up above it overflowed numeric(20, 6) on every recompute. Every write path refuses a
value beyond SIGHTLINE_VALUE_BOUND with a field error (the services, the API PATCH and bulk,
issue 13's tests, are covered in test_values_that_fit); here the pages, the import and the
admin, and the finding's own number."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from kpis.models import Actual, Target
from scorecard import services as core
from tests.admin_forms import change_url, form_errors, post_change

OUT_OF_BOUND = "Enter a number between -1,000,000,000,000 and 1,000,000,000,000."
THE_FINDINGS_NUMBER = "99999999999999.999999"
Q1 = "FY2026-Q1"


@pytest.fixture
def q1(db):
    return core.period_for_key(Q1)


def test_the_api_refuses_the_findings_number(q1, people, north_sales_kpi):
    api = APIClient()
    api.force_authenticate(people.owner)

    response = api.post(
        "/api/actuals/bulk/",
        [{"kpi": north_sales_kpi.pk, "period": Q1, "value": THE_FINDINGS_NUMBER}],
        format="json",
    )

    assert response.json() == {"errors": [{"index": 0, "fields": {"value": [OUT_OF_BOUND]}}]}
    assert not Actual.objects.exists()


def test_the_my_updates_grid_refuses_a_value_beyond_the_bound(client, q1, people, north_sales_kpi):
    client.force_login(people.owner)

    response = client.post(
        f"{reverse('kpis:grid')}?period={Q1}", {f"value-{north_sales_kpi.pk}": THE_FINDINGS_NUMBER}
    )

    assert OUT_OF_BOUND in response.content.decode()
    assert not Actual.objects.exists()


@pytest.mark.parametrize("field", ["target", "red"])
def test_the_targets_grid_refuses_a_value_beyond_the_bound(
    client, org, q1, people, north_sales_kpi, field
):
    client.force_login(people.north_manager)
    url = f"{reverse('editor:targets', args=[org.north_sales.slug])}?year=2026"
    cells = {f"target-{north_sales_kpi.pk}-2026-2": "100"}

    response = client.post(url, cells | {f"{field}-{north_sales_kpi.pk}-2026-2": "-2000000000000"})

    assert OUT_OF_BOUND in response.content.decode()
    assert [t.value for t in Target.objects.all()] == [Decimal("100")]


def test_the_import_refuses_a_value_beyond_the_bound(client, q1, people, north_sales_kpi):
    client.force_login(people.owner)
    text = f"kpi,period,value\nRegional revenue,{Q1},{THE_FINDINGS_NUMBER}\n"

    response = client.post(
        reverse("kpis:import"), {"file": SimpleUploadedFile("a.csv", text.encode())}
    )

    assert [row.errors for row in response.context["preview"].rows] == [[OUT_OF_BOUND]]
    assert not Actual.objects.exists()


def test_the_admin_refuses_a_target_beyond_the_bound_next_to_the_field(
    client, q1, people, north_sales_kpi
):
    client.force_login(people.admin)
    target = Target.objects.get()

    changed = post_change(client, Target, target.pk, value=THE_FINDINGS_NUMBER)
    added = client.post(
        change_url(Target),
        {
            "kpi": north_sales_kpi.pk,
            "period": core.period_for_key("FY2026-Q2").pk,
            "value": "100",
            "red_flag": "-1000000000001",
            "_save": "Save",
        },
    )

    assert form_errors(changed) == {"value": [OUT_OF_BOUND]}
    assert form_errors(added) == {"red_flag": [OUT_OF_BOUND]}
    assert [t.value for t in Target.objects.all()] == [Decimal("100")]
