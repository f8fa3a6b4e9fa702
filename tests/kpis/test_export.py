"""Export a scorecard's targets and actuals for a range of quarters, safe to open."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kpis import exports
from kpis import services as kpi_services
from scorecard import services as core


@pytest.fixture
def history(people, north_sales_kpi):
    """Regional revenue: 95 in FY2026 Q1 with a comment that looks like a formula; a
    second KPI named like one too; an actual of −3 in FY2025 Q4 (no target)."""
    q1 = core.period_for_key("FY2026-Q1")
    q4 = core.period_for_key("FY2025-Q4")
    kpi_services.actual_enter(
        kpi=north_sales_kpi, period=q1, value="95", comment="=HYPERLINK(1)", by=people.owner
    )
    kpi_services.actual_enter(kpi=north_sales_kpi, period=q4, value="-3", by=people.owner)
    kpi_services.kpi_create(objective=north_sales_kpi.objective, name="@risk", owner=people.owner)
    return q4, q1


def export(client, org, **params):
    url = reverse("kpis:export", args=[org.north_sales.slug])
    return client.get(url, {"first": "FY2025-Q4", "last": "FY2026-Q1", **params})


def test_it_exports_csv_for_a_range_of_quarters_with_formulas_escaped(client, people, org, history):
    client.force_login(people.executive)

    response = export(client, org, format="csv")

    assert response["Content-Disposition"] == (
        'attachment; filename="north-sales-FY2025-Q4-to-FY2026-Q1.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == exports.EXPORT_COLUMNS
    picked = [(r[3], r[6], r[7], r[9], r[10], r[11]) for r in rows[1:]]
    assert picked == [
        ("Regional revenue", "FY2025-Q4", "", "-3.000000", "", "owner"),
        ("'@risk", "FY2025-Q4", "", "", "", ""),
        ("Regional revenue", "FY2026-Q1", "100.000000", "95.000000", "'=HYPERLINK(1)", "owner"),
        ("'@risk", "FY2026-Q1", "", "", "", ""),
    ]


def test_it_exports_xlsx_with_numbers_as_numbers_and_text_escaped(client, people, org, history):
    client.force_login(people.north_manager)

    response = export(client, org, format="xlsx")

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == exports.EXPORT_COLUMNS
    assert rows[1][9] == -3
    assert rows[3][10] == "'=HYPERLINK(1)"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize(
    ("value", "escaped"),
    [("=1+2", "'=1+2"), ("+1", "'+1"), ("-x", "'-x"), ("@SUM", "'@SUM"), ("\tx", "'\tx"),
     ("plain", "plain"), (Decimal("-3"), Decimal("-3"))],
)  # fmt: skip
def test_it_escapes_every_cell_a_spreadsheet_would_evaluate(value, escaped):
    assert exports.escape(value) == escaped


def test_it_explains_a_bad_quarter(client, people, org):
    client.force_login(people.executive)

    response = export(client, org, first="last year", format="csv")

    assert (
        'Unknown period "last year": use the form 2026-03, FY2026-Q3 or FY2026.'
        in response.content.decode().replace("&quot;", '"')
    )


def test_it_refuses_people_without_a_role_on_the_unit(client, people, org, history):
    client.force_login(people.south_team_manager)

    assert export(client, org, format="csv").status_code == 403


# 1 session, 2 user, 3 the scorecard (with unit), 4 memberships, 5-8 the two quarters
# (organization settings, then the period row, for each), 9 the periods in range, 10 KPIs
# (with objectives), 11 targets, 12 actuals (with who entered them).
EXPORT_QUERIES = 12


@pytest.mark.parametrize("extra", [0, 10])
def test_it_holds_its_queries_whatever_the_number_of_kpis(
    client, people, org, north_sales_kpi, django_assert_num_queries, extra
):
    client.force_login(people.north_manager)
    core.period_for_key("FY2025-Q4")
    for number in range(extra):
        kpi_services.kpi_create(objective=north_sales_kpi.objective, name=f"Extra {number}")

    with django_assert_num_queries(EXPORT_QUERIES):
        response = export(client, org, format="csv")

    assert len(response.content.decode().splitlines()) == 1 + 2 * (1 + extra)
