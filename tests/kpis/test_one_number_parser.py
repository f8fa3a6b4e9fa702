"""Finding 13 (numbers) of issue 14: every path that reads a number reads it with the one
parser, `kpis.services.numbers.parse_number`, so full-width digits, other scripts' digits and
underscores are refused alike, with the same message, and nothing is saved."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from kpis import services as kpi_services
from kpis.models import Actual, Target
from kpis.services.numbers import NOT_A_NUMBER, parse_number
from scorecard import services as core
from tests.admin_forms import change_url, form_errors, post_change

Q1 = "FY2026-Q1"
NOT_NUMBERS = ["１２３", "٣", "1_000"]


@pytest.fixture
def q1(db):
    return core.period_for_key(Q1)


@pytest.fixture
def admin_client(client, people):
    client.force_login(people.admin)
    return client


def api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_the_parser_refuses_them(text):
    with pytest.raises(Exception) as refused:
        parse_number(text)
    assert refused.value.messages == [NOT_A_NUMBER]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_the_services_refuse_them(q1, people, north_sales_kpi, text):
    with pytest.raises(Exception) as actual:
        kpi_services.actual_enter(kpi=north_sales_kpi, period=q1, value=text, comment="x")
    with pytest.raises(Exception) as target:
        kpi_services.target_set(kpi=north_sales_kpi, period=q1, value=text)
    with pytest.raises(Exception) as red_flag:
        kpi_services.target_set(kpi=north_sales_kpi, period=q1, value="1", red_flag=text)

    assert actual.value.message_dict == {"value": [NOT_A_NUMBER]}
    assert target.value.message_dict == {"value": [NOT_A_NUMBER]}
    assert red_flag.value.message_dict == {"red_flag": [NOT_A_NUMBER]}
    assert not Actual.objects.exists()
    assert [t.value for t in Target.objects.all()] == [Decimal("100")]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_the_api_patch_refuses_them(q1, people, north_sales_kpi, text):
    actual = kpi_services.actual_enter(kpi=north_sales_kpi, period=q1, value="95", by=people.owner)

    response = api_client(people.owner).patch(
        f"/api/actuals/{actual.pk}/", {"value": text, "version": 1}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"value": [NOT_A_NUMBER]}
    assert Actual.objects.get().value == Decimal("95")


@pytest.mark.parametrize("text", NOT_NUMBERS)
@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/actuals/bulk/", "value"),
        ("/api/targets/bulk/", "value"),
        ("/api/targets/bulk/", "red_flag"),
    ],
)
def test_the_bulk_api_refuses_them(q1, people, north_sales_kpi, url, field, text):
    row = {"kpi": north_sales_kpi.pk, "period": Q1, "value": "95"} | {field: text}

    response = api_client(people.manager).post(url, [row], format="json")

    assert response.status_code == 400
    assert response.json() == {"errors": [{"index": 0, "fields": {field: [NOT_A_NUMBER]}}]}
    assert not Actual.objects.exists()
    assert [t.value for t in Target.objects.all()] == [Decimal("100")]


def test_the_bulk_api_still_takes_json_numbers_and_typed_text(q1, people, north_sales_kpi):
    rows = [
        {"kpi": north_sales_kpi.pk, "period": Q1, "value": 1234.5, "red_flag": 1000},
        {"kpi": north_sales_kpi.pk, "period": "FY2026-Q2", "value": "1,234.5"},
    ]

    response = api_client(people.manager).post("/api/targets/bulk/", rows, format="json")

    assert response.status_code == 200
    assert [(t.value, t.red_flag) for t in Target.objects.order_by("period__quarter")] == [
        (Decimal("1234.5"), Decimal("1000")),
        (Decimal("1234.5"), None),
    ]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_the_import_refuses_them(client, q1, people, north_sales_kpi, text):
    client.force_login(people.owner)
    file = SimpleUploadedFile(
        "actuals.csv", f"kpi,period,value\nRegional revenue,{Q1},{text}\n".encode()
    )

    response = client.post(reverse("kpis:import"), {"file": file})

    assert [row.errors for row in response.context["preview"].rows] == [[NOT_A_NUMBER]]
    assert not Actual.objects.exists()


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_my_updates_refuse_them_next_to_the_field(client, q1, people, north_sales_kpi, text):
    client.force_login(people.owner)
    url = f"{reverse('kpis:actual_save', args=[north_sales_kpi.pk])}?period={Q1}"

    response = client.post(url, {"value": text, "version": "0"}, HTTP_HX_REQUEST="true")

    assert NOT_A_NUMBER in response.content.decode()
    assert not Actual.objects.exists()


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_the_my_updates_grid_refuses_them(client, q1, people, north_sales_kpi, text):
    client.force_login(people.owner)

    response = client.post(
        f"{reverse('kpis:grid')}?period={Q1}", {f"value-{north_sales_kpi.pk}": text}
    )

    assert NOT_A_NUMBER in response.content.decode()
    assert not Actual.objects.exists()


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_the_targets_grid_refuses_them(client, org, q1, people, north_sales_kpi, text):
    client.force_login(people.north_manager)
    url = f"{reverse('editor:targets', args=[org.north_sales.slug])}?year=2026"

    response = client.post(url, {f"target-{north_sales_kpi.pk}-2026-2": text})

    assert NOT_A_NUMBER in response.content.decode()
    assert [t.value for t in Target.objects.all()] == [Decimal("100")]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_the_admin_refuses_them_next_to_the_field(admin_client, q1, north_sales_kpi, text):
    target = Target.objects.get()

    changed = post_change(admin_client, Target, target.pk, value=text)
    added = admin_client.post(
        change_url(Target),
        {
            "kpi": north_sales_kpi.pk,
            "period": core.period_for_key("FY2026-Q2").pk,
            "value": text,
            "_save": "Save",
        },
    )

    assert form_errors(changed) == {"value": [NOT_A_NUMBER]}
    assert form_errors(added) == {"value": [NOT_A_NUMBER]}
    assert [t.value for t in Target.objects.all()] == [Decimal("100")]


def test_the_admin_still_saves_a_typed_number(admin_client, q1, north_sales_kpi):
    target = Target.objects.get()

    response = post_change(admin_client, Target, target.pk, value="1,234.5", red_flag="")

    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.value, target.red_flag) == (Decimal("1234.5"), None)
