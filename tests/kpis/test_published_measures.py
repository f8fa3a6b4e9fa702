"""Measures as organizations publish them (issue 15): codes on objectives and KPIs, unique
within a scorecard and shown before the title; a data source, a baseline, a description and
the decimals, through the API and the editor; numbers shown with the KPI's decimals and
thousands separators on every page and export.

The numbers are worked by hand: 47,400,000 at 0 decimals is 47400000 rounded to a whole
number with a comma every three digits; 12.46 at 1 decimal is 12.5 (half-up)."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from kpis import exports
from kpis import services as kpi_services
from kpis.models import DECIMALS_OUT_OF_RANGE, KPI, KPI_CODE_TAKEN
from scorecard import services as core
from scorecard.text import coded, measure_text, score_text
from strategy import services as strategy_services
from strategy.models import CODE_MALFORMED, CODE_TAKEN

Q1 = "FY2026-Q1"


@pytest.fixture
def api(people):
    client = APIClient()
    client.force_authenticate(people.admin)
    return client


@pytest.fixture
def coded_kpi(org, people, north_sales_kpi, django_capture_on_commit_callbacks):
    """Regional revenue as a published measure: code 1.2.1, whole dollars, a data source, a
    baseline, and 47,400,000 against a target of 50,000,000 in FY2026 Q1."""
    q1 = core.period_for_key(Q1)
    strategy_services.objective_update(objective=north_sales_kpi.objective, code="1.2")
    kpi = kpi_services.kpi_update(
        kpi=north_sales_kpi,
        code="1.2.1",
        decimals=0,
        data_source="Finance ledger, monthly close",
        baseline=Decimal("41250000.5"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.target_set(kpi=kpi, period=q1, value=Decimal("50000000"))
        kpi_services.actual_enter(kpi=kpi, period=q1, value=Decimal("47400000"), by=people.owner)
    return kpi


# The one formatting function.


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [
        (Decimal("47400000"), 0, "47,400,000"),
        (Decimal("12.46"), 1, "12.5"),
        (Decimal("12.45"), 1, "12.5"),  # half-up, not to even
        (Decimal("-1234.5"), 2, "-1,234.50"),
        (Decimal("0.000001"), 6, "0.000001"),
        (Decimal("999999.99"), 1, "1,000,000.0"),
        (None, 2, "–"),
    ],
)
def test_it_formats_a_value_with_the_kpis_decimals_and_thousands_separators(value, decimals, shown):
    assert measure_text(value, decimals) == shown


def test_it_shows_a_score_with_one_decimal():
    assert score_text(Decimal("6.666667")) == "6.7"
    assert score_text(Decimal("3.333333")) == "3.3"
    assert score_text(None) == "–"


def test_it_puts_the_code_before_the_title():
    assert coded(KPI(code="1.2.1", name="Revenue")) == "1.2.1 Revenue"
    assert coded(KPI(name="Revenue")) == "Revenue"


# Codes: one per scorecard, a cascaded unit may reuse them.


def test_it_refuses_a_kpi_code_used_twice_in_one_scorecard(org, people, financial, coded_kpi):
    other = strategy_services.objective_create(
        scorecard=org.north_sales.scorecard, perspective=financial, title="Cut costs"
    )

    with pytest.raises(ValidationError) as refused:
        kpi_services.kpi_create(objective=other, name="Costs", code="1.2.1")

    assert refused.value.message_dict == {"code": [KPI_CODE_TAKEN]}
    assert not KPI.objects.filter(name="Costs").exists()


def test_it_lets_another_scorecard_reuse_a_code(org, financial, coded_kpi):
    above = strategy_services.objective_create(
        scorecard=org.north.scorecard, perspective=financial, title="Grow north revenue"
    )

    kpi = kpi_services.kpi_create(objective=above, name="North revenue", code="1.2.1")
    objective = strategy_services.objective_create(
        scorecard=org.north.scorecard, perspective=financial, title="Grow more", code="1.2"
    )

    assert (kpi.code, objective.code) == ("1.2.1", "1.2")


def test_it_refuses_an_objective_code_used_twice_by_field(org, financial, coded_kpi):
    with pytest.raises(ValidationError) as refused:
        strategy_services.objective_create(
            scorecard=org.north_sales.scorecard, perspective=financial, title="Grow", code="1.2"
        )

    assert refused.value.message_dict == {"code": [CODE_TAKEN]}


@pytest.mark.parametrize("code", ["1.2 1", "[1.2]", "north:1.2", ".1"])
def test_it_refuses_a_code_a_formula_could_not_name(north_sales_kpi, code):
    with pytest.raises(ValidationError) as refused:
        kpi_services.kpi_update(kpi=north_sales_kpi, code=code)

    assert refused.value.message_dict == {"code": [CODE_MALFORMED]}


def test_a_cascaded_kpi_keeps_its_parents_code_where_it_is_free(org, people, financial):
    north_goal = strategy_services.objective_create(
        scorecard=org.north.scorecard, perspective=financial, title="Grow north revenue"
    )
    parent = kpi_services.kpi_create(
        objective=north_goal, name="Revenue", code="F1.1", data_source="Ledger"
    )
    child_goal = strategy_services.objective_create(
        scorecard=org.north_sales.scorecard, perspective=financial, title="Grow sales"
    )

    (child,) = kpi_services.kpi_cascade(
        kpi=parent,
        org_units=[org.north_sales],
        rollup_method="sum",
        objectives={org.north_sales.pk: child_goal},
    )

    assert (child.code, child.data_source) == ("F1.1", "Ledger")


# The API: every field read and written; bad values answer 400 by field.


def test_the_api_accepts_and_returns_the_published_fields(api, north_sales_kpi):
    response = api.patch(
        f"/api/kpis/{north_sales_kpi.pk}/",
        {
            "code": "1.2.1",
            "description": "Invoiced sales of the region",
            "decimals": 0,
            "data_source": "Finance ledger",
            "baseline": "41250000.5",
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = api.get(f"/api/kpis/{north_sales_kpi.pk}/").json()
    assert {k: body[k] for k in ("code", "description", "decimals", "data_source")} == {
        "code": "1.2.1",
        "description": "Invoiced sales of the region",
        "decimals": 0,
        "data_source": "Finance ledger",
    }
    assert Decimal(body["baseline"]) == Decimal("41250000.5")


def test_the_api_answers_400_code_for_a_taken_code(api, org, financial, coded_kpi):
    other = strategy_services.objective_create(
        scorecard=org.north_sales.scorecard, perspective=financial, title="Cut costs"
    )

    response = api.post(
        "/api/kpis/", {"objective": other.pk, "name": "Costs", "code": "1.2.1"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"code": [KPI_CODE_TAKEN]}


def test_the_api_answers_400_code_for_a_taken_objective_code(api, org, financial, coded_kpi):
    response = api.post(
        "/api/objectives/",
        {
            "scorecard": org.north_sales.scorecard.pk,
            "perspective": financial.pk,
            "title": "Cut costs",
            "code": "1.2",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"code": [CODE_TAKEN]}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("decimals", 7, DECIMALS_OUT_OF_RANGE.format(most=6)),
        ("decimals", -1, None),
        ("decimals", "two", None),
        ("baseline", "lots", None),
        ("baseline", "1e13", None),
        ("code", "1.2 1", CODE_MALFORMED),
        ("data_source", "x" * 256, None),
    ],
)
def test_the_api_refuses_a_bad_published_field_by_field(
    api, north_sales_kpi, field, value, message
):
    response = api.patch(f"/api/kpis/{north_sales_kpi.pk}/", {field: value}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    if message:
        assert response.json()[field] == [message]
    stored = KPI.objects.get(pk=north_sales_kpi.pk)
    assert getattr(stored, field) == getattr(north_sales_kpi, field)


# Pages show the code before the title and values with the KPI's decimals.


def test_the_scorecard_page_shows_codes_and_values_as_published(client, people, org, coded_kpi):
    client.force_login(people.executive)

    html = client.get(
        reverse("scorecard:scorecard", args=[org.north_sales.slug]) + f"?period={Q1}"
    ).content.decode()

    assert "1.2 Grow regional revenue" in html
    assert "1.2.1 Regional revenue" in html
    assert ">47,400,000<" in html and ">50,000,000<" in html


def test_the_kpi_detail_shows_the_data_source_and_baseline(client, people, org, coded_kpi):
    client.force_login(people.executive)

    html = client.get(
        reverse("kpis:kpi_detail", args=[org.north_sales.slug, coded_kpi.pk]) + f"?period={Q1}"
    ).content.decode()

    assert "<h1>1.2.1 Regional revenue</h1>" in html
    assert "Finance ledger, monthly close" in html
    assert "Actual %{y:,.0f} USD" in html  # the chart's numbers, in d3-format
    # 41,250,000.5 at 0 decimals, half-up.
    assert "41,250,001 USD" in html
    # The explanation: values at the KPI's decimals, the score with one.
    # 10/3 × (1 + (47,400,000 − 45,000,000) ÷ (50,000,000 − 45,000,000)) = 10/3 × 1.48 = 4.9
    assert "(1 + (47,400,000 − 45,000,000) ÷ (50,000,000 − 45,000,000)) = 4.9" in html


def test_my_updates_and_the_editor_list_the_code(client, people, org, coded_kpi):
    client.force_login(people.owner)
    updates = client.get(reverse("kpis:my_updates") + f"?period={Q1}").content.decode()
    assert "1.2.1 Regional revenue" in updates
    assert ">50,000,000<" in updates

    client.force_login(people.north_manager)
    editor = client.get(reverse("editor:editor", args=[org.north_sales.slug])).content.decode()
    assert "1.2.1 Regional revenue" in editor
    assert "<h3>1.2 Grow regional revenue</h3>" in editor


def test_the_editor_saves_code_decimals_data_source_and_baseline(client, people, org, coded_kpi):
    client.force_login(people.north_manager)
    url = reverse("editor:kpi_edit", args=[org.north_sales.slug, coded_kpi.pk])
    form = {
        "code": "1.2.2",
        "name": "Regional revenue",
        "unit": "USD",
        "decimals": "2",
        "data_source": "CRM",
        "baseline": "12.5",
        "direction": "up",
        "indicator_type": "lagging",
        "owner": people.owner.pk,
        "weight": "1",
        "tolerance_pct": "10",
        "source": "manual",
    }

    client.post(url, form)

    coded_kpi.refresh_from_db()
    assert (coded_kpi.code, coded_kpi.decimals, coded_kpi.data_source, coded_kpi.baseline) == (
        "1.2.2",
        2,
        "CRM",
        Decimal("12.5"),
    )


def test_the_editor_shows_a_taken_code_next_to_the_field(client, people, org, financial, coded_kpi):
    other = kpi_services.kpi_create(objective=coded_kpi.objective, name="Margin", code="1.2.9")
    client.force_login(people.north_manager)
    url = reverse("editor:kpi_edit", args=[org.north_sales.slug, other.pk])

    html = client.post(
        url,
        {"code": "1.2.1", "name": "Margin", "direction": "up", "source": "manual"},
        headers={"HX-Request": "true"},
    ).content.decode()

    assert f'id="kpi-{other.pk}-code-errors"' in html
    assert KPI_CODE_TAKEN in html
    assert KPI.objects.get(pk=other.pk).code == "1.2.9"


# Exports: raw numbers in number cells, shown with the KPI's decimals; codes in their columns.


def test_the_export_carries_codes_and_formats_numbers_without_changing_them(
    client, people, org, coded_kpi
):
    client.force_login(people.executive)
    url = reverse("kpis:export", args=[org.north_sales.slug])
    params = {"first": Q1, "last": Q1}

    rows = list(
        csv.reader(
            io.StringIO(client.get(url, {**params, "format": "csv"}).content.decode("utf-8-sig"))
        )
    )
    sheet = load_workbook(io.BytesIO(client.get(url, {**params, "format": "xlsx"}).content)).active

    columns = exports.EXPORT_COLUMNS
    row = dict(zip(columns, rows[1], strict=True))
    assert (row["objective_code"], row["kpi_code"], row["data_source"]) == (
        "1.2",
        "1.2.1",
        "Finance ledger, monthly close",
    )
    assert row["actual"] == "47400000.000000"
    actual = sheet.cell(row=2, column=columns.index("actual") + 1)
    assert (actual.value, actual.number_format) == (47400000, "#,##0")


def test_the_editor_saves_an_objectives_code(client, people, org, financial, coded_kpi):
    objective = coded_kpi.objective
    client.force_login(people.north_manager)

    client.post(
        reverse("editor:objective_edit", args=[org.north_sales.slug, objective.pk]),
        {
            "perspective": objective.perspective_id,
            "code": "F1",
            "title": objective.title,
            "weight": "1",
        },
    )

    objective.refresh_from_db()
    assert objective.code == "F1"


def test_pages_hold_titles_of_255_and_units_of_40_characters(
    client, people, org, financial, django_capture_on_commit_callbacks
):
    title = "Grow " + "revenue " * 31 + "no"
    name = "Revenue " * 31 + "all in"
    unit = "thousand US dollars, constant 2020 price"
    assert (len(title), len(name), len(unit)) == (255, 254, 40)
    with django_capture_on_commit_callbacks(execute=True):
        objective = strategy_services.objective_create(
            scorecard=org.north_sales.scorecard, perspective=financial, title=title, code="F9"
        )
        kpi = kpi_services.kpi_create(objective=objective, name=name, unit=unit, code="F9.1")
    client.force_login(people.north_manager)
    slug = org.north_sales.slug

    pages = [
        reverse("scorecard:scorecard", args=[slug]) + f"?period={Q1}",
        reverse("editor:editor", args=[slug]),
        reverse("kpis:kpi_detail", args=[slug, kpi.pk]) + f"?period={Q1}",
        reverse("strategy:map", args=[slug]) + f"?period={Q1}",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f"F9.1 {name}" in html or f"F9 {title[:30]}" in html, url
    editor = client.get(reverse("editor:editor", args=[slug])).content.decode()
    assert f'value="{name}" maxlength="255"' in editor
    assert f'value="{unit}" maxlength="40"' in editor
