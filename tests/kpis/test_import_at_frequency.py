"""Spreadsheet imports, templates and exports at each KPI's frequency, with KPIs named by
code (issue 15): `CODE` is a code of the importing unit's scorecard (the row's `scorecard`),
`unit-slug:CODE` a code of a unit at or below it. Refusals name the row and the reason, and
nothing is saved while any row is refused.

The code 1.1 is used three times, as a cascaded scorecard reuses its parent's codes:
North's "Revenue" (quarterly), North Sales' "Orders shipped" (monthly) and South Ops'
"Cost per order" (quarterly). It is 15 May 2026; the fiscal year is the calendar year."""

import datetime as dt
import html as html_text
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kpis import imports, scoring
from kpis import services as kpi_services
from kpis.models import Actual
from scorecard import services as core
from strategy import services as strategy_services


@pytest.fixture(autouse=True)
def mid_may():
    with time_machine.travel(dt.datetime(2026, 5, 15, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def coded(org, people, financial):
    def objective(unit):
        return strategy_services.objective_create(
            scorecard=unit.scorecard, perspective=financial, title=f"Grow {unit.name}"
        )

    north, sales, south = objective(org.north), objective(org.north_sales), objective(org.south_ops)
    return {
        "revenue": kpi_services.kpi_create(objective=north, name="Revenue", code="1.1"),
        "orders": kpi_services.kpi_create(
            objective=sales, name="Orders shipped", code="1.1", frequency="month",
            owner=people.owner,
        ),
        "cost": kpi_services.kpi_create(objective=south, name="Cost per order", code="1.1"),
        "rating": kpi_services.kpi_create(
            objective=north, name="Credit rating", code="1.2", target_type="ordinal",
            levels=["BBB", "A", "AA", "AAA"],
        ),
        "live": kpi_services.kpi_create(
            objective=north, name="Warehouse system live", code="1.3", target_type="milestone"
        ),
    }  # fmt: skip


def upload(client, text: str):
    file = SimpleUploadedFile("actuals.csv", text.encode(), content_type="text/csv")
    response = client.post(reverse("kpis:import"), {"file": file})
    return response, html_text.unescape(response.content.decode())


def outcome(response) -> list[tuple[int, str, str, list[str]]]:
    return [
        (row.number, row.kind, row.kpi.name if row.kpi else "", row.errors)
        for row in response.context["preview"].rows
    ]


def test_it_names_kpis_by_code_and_by_unit_slug_and_code(client, people, coded):
    client.force_login(people.north_manager)
    text = (
        "kpi,scorecard,period,value\n"
        "1.1,north,FY2026-Q1,10\n"
        "north-sales:1.1,north,2026-03,20\n"
        "north-sales:1.1,north,2026-04,21\n"
        "1.2,North scorecard,FY2026-Q1,AA\n"
        "1.3,north,FY2026-Q1,1\n"
    )

    response, page = upload(client, text)

    # The preview shows the level by its name.
    assert '<td class="num">AA</td>' in page
    assert outcome(response) == [
        (2, "new", "Revenue", []),
        (3, "new", "Orders shipped", []),
        (4, "new", "Orders shipped", []),
        (5, "new", "Credit rating", []),
        (6, "new", "Warehouse system live", []),
    ]
    client.post(reverse("kpis:import_confirm"))
    saved = {(a.kpi.name, a.period.key): a.value for a in Actual.objects.all()}
    # AA is the third level, worst first: position 2.
    assert saved == {
        ("Revenue", "FY2026-Q1"): Decimal("10"),
        ("Orders shipped", "2026-03"): Decimal("20"),
        ("Orders shipped", "2026-04"): Decimal("21"),
        ("Credit rating", "FY2026-Q1"): Decimal("2"),
        ("Warehouse system live", "FY2026-Q1"): Decimal("1"),
    }


def test_it_reads_a_code_of_the_importing_units_own_scorecard_only(client, people, coded):
    client.force_login(people.north_manager)

    response, _ = upload(client, "kpi,scorecard,period,value\n1.1,north-sales,2026-03,20\n")

    assert outcome(response) == [(2, "new", "Orders shipped", [])]


def test_it_refuses_a_code_shared_by_several_scorecards_without_one(client, people, coded):
    client.force_login(people.manager)

    response, _ = upload(client, "kpi,period,value\n1.1,FY2026-Q1,10\n")

    assert outcome(response) == [
        (2, "error", "", [imports.AMBIGUOUS_KPI.format(kpi="1.1", where="")])
    ]


BAD_ROWS = [
    (
        "north-sales:1.1,north,FY2026-Q1,20",
        "Orders shipped is reported monthly: enter it for a month such as 2026-03, "
        "not FY2026 Q1.",
    ),
    ("1.1,north,2026-03,20", "Revenue is reported quarterly: enter it for a quarter such as "
     "FY2026-Q3, not Mar 2026."),
    ("9.9,north,FY2026-Q1,1", 'No KPI "9.9" that you can see in north.'),
    ("nowhere:1.1,north,FY2026-Q1,1", 'No KPI "nowhere:1.1" that you can see.'),
    ("1.2,north,FY2026-Q1,B", scoring.LEVEL_UNKNOWN.format(levels="BBB, A, AA, AAA")),
    ("1.3,north,FY2026-Q1,2", scoring.MILESTONE_ACTUAL_NOT_DONE_OR_NOT),
    ("north-sales:1.1,north,2026-06,20",
     "Jun 2026 has not started yet: actuals open on 2026-06-01."),
]  # fmt: skip


@pytest.mark.parametrize(("line", "reason"), BAD_ROWS)
def test_it_names_the_row_and_the_reason_of_each_bad_row(client, people, coded, line, reason):
    client.force_login(people.manager)

    response, page = upload(client, f"kpi,scorecard,period,value\n1.1,north,FY2026-Q1,10\n{line}\n")

    rows = outcome(response)
    assert rows[0][:2] == (2, "new")
    assert rows[1][0:2] == (3, "error")
    assert rows[1][3] == [reason]
    assert reason in page


def test_it_refuses_a_unit_outside_the_importing_units_subtree(client, people, coded):
    client.force_login(people.manager)

    response, _ = upload(client, "kpi,scorecard,period,value\nsouth-ops:1.1,north,FY2026-Q1,5\n")

    assert outcome(response)[0][3] == [
        imports.OUTSIDE_SUBTREE.format(kpi="south-ops:1.1", unit="South Ops", importing="North")
    ]


def test_it_refuses_a_unit_the_importer_cannot_see_as_unknown(client, people, coded):
    client.force_login(people.north_manager)

    response, _ = upload(client, "kpi,scorecard,period,value\nsouth-ops:1.1,north,FY2026-Q1,5\n")

    assert outcome(response)[0][3] == ['No KPI "south-ops:1.1" that you can see.']


def test_it_saves_nothing_while_any_row_is_refused(client, people, coded):
    client.force_login(people.manager)
    upload(client, "kpi,scorecard,period,value\n1.1,north,FY2026-Q1,10\n1.3,north,FY2026-Q1,2\n")

    response = client.post(reverse("kpis:import_confirm"))

    assert imports.HAS_ERRORS in html_text.unescape(response.content.decode())
    assert not Actual.objects.exists()


def test_the_template_asks_a_monthly_kpi_for_its_months_by_code(client, people, org, coded):
    kpi_services.target_set(kpi=coded["orders"], period=core.period_for_key("2026-02"), value="30")
    client.force_login(people.owner)

    response = client.get(reverse("kpis:template", args=[org.north_sales.slug]))

    lines = response.content.decode("utf-8-sig").splitlines()
    # Q1 is due on 15 May: its three months, and April, the month due.
    assert lines == [
        "kpi,name,scorecard,unit,period,target,value,comment",
        "1.1,Orders shipped,North Sales scorecard,,2026-01,,,",
        "1.1,Orders shipped,North Sales scorecard,,2026-02,30.000000,,",
        "1.1,Orders shipped,North Sales scorecard,,2026-03,,,",
        "1.1,Orders shipped,North Sales scorecard,,2026-04,,,",
    ]


def test_a_filled_template_imports_back(client, people, org, coded):
    client.force_login(people.owner)
    template = client.get(reverse("kpis:template", args=[org.north_sales.slug]))
    lines = template.content.decode("utf-8-sig").splitlines()
    filled = "\n".join([lines[0], lines[1].replace(",,,", ",,17,")]) + "\n"

    response, _ = upload(client, filled)

    assert outcome(response) == [(2, "new", "Orders shipped", [])]


def test_the_export_writes_each_kpi_at_its_own_frequency(client, people, org, coded):
    orders, rating = coded["orders"], coded["rating"]
    for key, value in (("2026-01", "11"), ("2026-02", "12")):
        kpi_services.actual_enter(kpi=orders, period=core.period_for_key(key), value=value)
    kpi_services.actual_enter(kpi=rating, period=core.period_for_key("FY2026-Q1"), value="AAA")
    client.force_login(people.manager)

    sales = client.get(
        reverse("kpis:export", args=[org.north_sales.slug]),
        {"first": "FY2026-Q1", "last": "FY2026-Q1", "format": "csv"},
    )
    north = client.get(
        reverse("kpis:export", args=[org.north.slug]),
        {"first": "FY2026-Q1", "last": "FY2026-Q1", "format": "csv"},
    )

    sales_rows = [line.split(",") for line in sales.content.decode("utf-8-sig").splitlines()]
    header = sales_rows[0]
    period, actual = header.index("period"), header.index("actual")
    # The monthly KPI's months (the stored ones: January and February, opened by their
    # actuals), not the quarter that holds them.
    assert [(row[period], row[actual]) for row in sales_rows[1:]] == [
        ("2026-01", "11.000000"),
        ("2026-02", "12.000000"),
    ]
    north_rows = [line.split(",") for line in north.content.decode("utf-8-sig").splitlines()]
    by_kpi = {(row[header.index("kpi")], row[period]): row[actual] for row in north_rows[1:]}
    # The level's name, not its position.
    assert by_kpi[("Credit rating", "FY2026-Q1")] == "AAA"
