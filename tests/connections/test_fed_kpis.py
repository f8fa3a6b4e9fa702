"""A KPI fed by an enabled import is not entered by hand on any path, and each path names
the import; switching the import off gives the KPI back to its owner."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from connections import services
from kpis import feeds
from kpis.models import Actual
from scorecard import services as core

FED = feeds.FED_BY_IMPORT.format(kpi="Monthly sales", feed="Monthly sales")


@pytest.fixture
def fed(sales_import, sales_kpis):
    run = services.run_execute(run_id=services.run_request(import_job=sales_import).pk)
    assert run.status == "succeeded", run.error
    return sales_kpis["NS"]


def test_the_bulk_api_names_the_import(fed, people):
    api = APIClient()
    api.force_authenticate(people.owner)

    response = api.post(
        "/api/actuals/bulk/", [{"kpi": fed.pk, "period": "2026-04", "value": "5"}], format="json"
    )

    assert response.status_code == 400
    assert FED in str(response.json())
    assert not Actual.objects.filter(kpi=fed, period__grain="month", value=5).exists()


def test_the_spreadsheet_import_names_the_import(fed, people, client):
    client.force_login(people.owner)
    upload = SimpleUploadedFile(
        "actuals.csv", f"kpi,period,value\n{fed.pk},2026-04,5\n".encode(), content_type="text/csv"
    )

    response = client.post(reverse("kpis:import"), {"file": upload})

    rows = response.context["preview"].rows
    assert [row.kind for row in rows] == ["error"]
    assert FED in rows[0].errors


def test_an_import_switched_off_no_longer_feeds_its_kpis(fed, sales_import, people):
    from kpis import services as kpi_services
    from scorecard import services as core

    services.import_update(import_job=sales_import, enabled=False)

    actual = kpi_services.actual_enter(
        kpi=fed, period=core.period_for_key("2026-04"), value="5", by=people.owner
    )
    assert actual.value == 5


def test_another_import_cannot_write_a_kpi_fed_by_the_first(fed, sales_import, org, people, erp):
    import sqlite3

    with sqlite3.connect(erp) as db:
        db.execute("UPDATE sales SET amount = 31 WHERE day = '2026-03-03'")
    db.close()
    second = services.import_create(
        name="Second feed",
        connection=sales_import.connection,
        org_unit=org.north_sales,
        owner=people.north_manager,
        query=sales_import.query,
        mapping=sales_import.mapping,
    )

    failed = services.run_execute(run_id=services.run_request(import_job=second).pk)

    assert failed.status == "failed"
    assert FED in failed.error
    assert fed.actuals.get(period__start="2026-03-01").value == 30


def test_test_connection_says_what_failed(people, client, sqlite_connection, root):
    (root / "erp.sqlite").unlink()
    client.force_login(people.admin)

    response = client.post(
        reverse("connections:connection_edit", args=[sqlite_connection.pk]), {"test": "1"}
    )

    assert response.context["problem"] == 'No file "erp.sqlite" in the connections folder.'


NOTICE = "Fed by the import “Monthly sales”"


def test_my_updates_names_the_import_next_to_a_fed_kpi(
    fed, sales_kpis, people, client, north_sales_kpi
):
    client.force_login(people.owner)

    page = client.get(reverse("kpis:my_updates")).content.decode()

    assert NOTICE in page
    # One notice per row of a fed KPI (sales and leads, a row per month), none on the KPI
    # entered by hand.
    fed_rows = sum(page.count(f'data-kpi="{kpi.pk}"') for kpi in sales_kpis.values())
    assert fed_rows and page.count(NOTICE) == fed_rows
    assert north_sales_kpi.name in page


def test_the_grid_names_the_import_next_to_a_fed_kpi(fed, people, client):
    client.force_login(people.owner)

    page = client.get(reverse("kpis:grid"), {"period": "2026-03"}).content.decode()

    assert NOTICE in page


def test_a_kpi_of_a_switched_off_import_has_no_notice(fed, sales_import, people, client):
    services.import_update(import_job=sales_import, enabled=False)
    client.force_login(people.owner)

    assert NOTICE not in client.get(reverse("kpis:my_updates")).content.decode()
    assert NOTICE not in client.get(reverse("kpis:grid")).content.decode()


def test_the_row_saved_with_a_comment_keeps_the_notice(fed, people, client):
    client.force_login(people.owner)
    actual = Actual.objects.get(kpi=fed, period=core.period_for_key("2026-03"))

    response = client.post(
        f"{reverse('kpis:actual_save', args=[fed.pk])}?period=2026-03",
        {"value": str(actual.value), "comment": "Checked", "version": actual.version},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert NOTICE in response.content.decode()
    assert Actual.objects.get(pk=actual.pk).comment == "Checked"
