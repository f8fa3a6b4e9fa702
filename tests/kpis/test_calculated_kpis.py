"""Calculated KPIs in the database: the save-time checks, the values the recompute gives them
and the chain it follows (DESIGN.md section 4, "Calculated KPIs" and "When it runs").

The scorecard of North Sales holds, all quarterly, in the financial perspective:

    [REV]  revenue       entered
    [GP]   gross profit  entered
    [GM]   gross margin  calculated: [GP] / [REV] * 100, target 30 (red flag 27, the default)

With target 30 and red flag 27 a score is (10/3)·(1 + (a − 27)/3).
"""

import html
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kpis import services
from kpis.explain import explain
from kpis.models import ACTUAL_ON_FORMULA, KPI, Actual, ScoreSnapshot
from kpis.recompute import recompute_everything
from kpis.scoring import AMBER, GREEN, NO_DATA, ORDINAL, TRACK, YEAR
from kpis.services import formulas as formula_services
from scorecard import services as core
from strategy import services as strategy_services

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
LATER = date(2026, 12, 31)
COMMENT = "Explained in the quarterly review."


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def q(db):
    return {n: core.period_for_key(f"FY2026-Q{n}") for n in (1, 2, 3, 4)}


def objective_of(unit, perspective, title="Grow margins"):
    return strategy_services.objective_create(
        scorecard=unit.scorecard, perspective=perspective, title=title
    )


@pytest.fixture
def sales(org, financial, capture):
    with capture():
        objective = objective_of(org.north_sales, financial)
        revenue = services.kpi_create(objective=objective, name="Revenue", code="REV", unit="USD")
        profit = services.kpi_create(objective=objective, name="Gross profit", code="GP")
    return objective, revenue, profit


def calculated(objective, formula, *, by=None, code="GM", **fields):
    return services.kpi_create(
        objective=objective,
        name=f"Calculated {code}",
        code=code,
        source=KPI.Source.FORMULA,
        formula=formula,
        by=by,
        **fields,
    )


def enter(kpi, period, value):
    return services.actual_enter(
        kpi=kpi, period=period, value=Decimal(value), comment=COMMENT, today=LATER
    )


def snapshot(kpi, period):
    return ScoreSnapshot.objects.get(subject_type="kpi", subject_id=kpi.pk, period=period)


def refusal(call) -> str:
    with pytest.raises(ValidationError) as refused:
        call()
    return " ".join(refused.value.message_dict["formula"])


# Save-time checks ------------------------------------------------------------------------------


def test_it_saves_a_formula_that_names_kpis_of_its_scorecard(sales):
    objective, _, _ = sales
    margin = calculated(objective, "[GP] / [REV] * 100")
    assert margin.formula == "[GP] / [REV] * 100"
    assert margin.missing_values == KPI.MissingValues.BLANK


def test_it_refuses_a_syntax_error_with_its_column(sales):
    objective, _, _ = sales
    assert refusal(lambda: calculated(objective, "[GP] / * 100")) == ('Unexpected "*" at column 8.')
    assert not KPI.objects.filter(code="GM").exists()


def test_it_refuses_an_unknown_code_with_its_column(sales):
    objective, _, _ = sales
    message = refusal(lambda: calculated(objective, "[GP] / [REVENUE]"))
    assert message == "No KPI you may see has the code [REVENUE] at column 8."


def test_it_refuses_a_kpi_the_saving_person_may_not_read(org, people, financial, sales, capture):
    objective, _, _ = sales
    with capture():
        south = services.kpi_create(
            objective=objective_of(org.south_ops, financial), name="South cost", code="SC"
        )
    # The manager of North sees North Sales but not South Ops.
    slug = org.south_ops.slug
    message = refusal(lambda: calculated(objective, f"[GP] - [{slug}:SC]", by=people.north_manager))
    assert message == f"No KPI you may see has the code [{slug}:SC] at column 8."
    # The enterprise manager may read it.
    kpi = calculated(objective, f"[GP] - [{slug}:SC]", by=people.manager)
    assert kpi.pk and south.pk


def test_it_names_a_code_two_kpis_share(sales):
    # Codes are unique within a scorecard now; two stored before that rule still say so.
    objective, _, _ = sales
    again = services.kpi_create(objective=objective, name="Revenue again")
    KPI.objects.filter(pk=again.pk).update(code="REV")
    message = refusal(lambda: calculated(objective, "[GP] / [REV]"))
    assert message.startswith("2 KPIs have the code [REV]")
    assert message.endswith("at column 8.")


@pytest.mark.parametrize("target_type", [ORDINAL, TRACK])
def test_it_refuses_an_input_that_is_no_number(sales, target_type):
    objective, _, profit = sales
    KPI.objects.filter(pk=profit.pk).update(target_type=target_type)
    message = refusal(lambda: calculated(objective, "1 + [GP]"))
    assert "a formula reads numbers only" in message
    assert message.endswith("at column 5.")


def test_it_refuses_an_input_of_a_coarser_frequency(sales):
    objective, _, profit = sales
    KPI.objects.filter(pk=profit.pk).update(frequency=YEAR)
    message = refusal(lambda: calculated(objective, "[GP] / [REV]"))
    assert message.startswith("[GP] is yearly, coarser than this quarterly KPI")
    assert message.endswith("at column 1.")


def test_it_refuses_a_cycle_through_another_calculated_kpi(sales):
    objective, _, _ = sales
    first = calculated(objective, "[GP] * 2", code="A")
    calculated(objective, "[A] + 1", code="B")
    message = refusal(lambda: services.kpi_update(kpi=first, formula="[B] - [GP]"))
    assert message == ("[B] reads this KPI, so the formula would run in a circle, at column 1.")
    first.refresh_from_db()
    assert first.formula == "[GP] * 2"
    assert refusal(lambda: services.kpi_update(kpi=first, formula="[A] + 1")) == (
        "[A] is this KPI itself, at column 1."
    )


def test_a_calculated_kpi_needs_a_formula_and_others_have_none(sales):
    objective, revenue, _ = sales
    assert refusal(lambda: calculated(objective, "")) == "Enter a formula."
    assert refusal(lambda: services.kpi_update(kpi=revenue, formula="[GP]")) == (
        formula_services.FORMULA_ONLY_FOR_CALCULATED
    )


def test_a_calculated_kpi_takes_no_actuals(sales, q):
    objective, _, _ = sales
    margin = calculated(objective, "[GP] / [REV] * 100")
    with pytest.raises(ValidationError) as refused:
        enter(margin, q[1], "30")
    assert refused.value.message_dict["kpi"] == [ACTUAL_ON_FORMULA]
    assert not Actual.objects.filter(kpi=margin).exists()


def test_a_kpi_with_actuals_does_not_become_calculated(sales, q, capture):
    _, revenue, _ = sales
    with capture():
        enter(revenue, q[1], "100")
    with pytest.raises(ValidationError) as refused:
        services.kpi_update(kpi=revenue, source=KPI.Source.FORMULA, formula="[GP] * 2")
    assert refused.value.message_dict["source"] == [formula_services.FORMULA_KPI_HAS_ACTUALS]


# Values and the recompute chain -------------------------------------------------------------


@pytest.fixture
def margin(sales, q, capture):
    objective, revenue, profit = sales
    with capture():
        kpi = calculated(objective, "[GP] / [REV] * 100")
        services.target_set(kpi=kpi, period=q[1], value=Decimal(30))
        enter(revenue, q[1], "180")
        enter(profit, q[1], "45")
    return kpi


def test_it_computes_and_scores_the_value_from_its_inputs(margin, q):
    row = snapshot(margin, q[1])
    # 45 / 180 * 100 = 25; (10/3)·(1 + (25 − 27)/3) = 10/9 = 1.111111: red.
    assert row.value == Decimal("25")
    assert row.score == Decimal("1.111111")
    assert row.status == "red"


def test_a_change_to_an_input_recomputes_the_formula(margin, sales, q, capture):
    _, revenue, _ = sales
    with capture():
        enter(revenue, q[1], "150")
    row = snapshot(margin, q[1])
    # 45 / 150 * 100 = 30: the target, 6.666667, green.
    assert (row.value, row.score, row.status) == (Decimal("30"), Decimal("6.666667"), GREEN)
    assert sum(result.changed for result in recompute_everything()) == 0


def test_a_missing_input_leaves_no_value(sales, q, capture):
    objective, revenue, _ = sales
    with capture():
        kpi = calculated(objective, "[GP] / [REV] * 100")
        services.target_set(kpi=kpi, period=q[1], value=Decimal(30))
        enter(revenue, q[1], "180")
    row = snapshot(kpi, q[1])
    assert (row.value, row.status) == (None, NO_DATA)
    text = explain(
        scorecard=kpi.objective.scorecard, subject_type="kpi", subject_id=kpi.pk, period=q[1]
    )
    assert "no value for [GP]" in text.summary


def test_a_missing_input_counts_as_zero_when_told(sales, q, capture):
    objective, revenue, _ = sales
    with capture():
        kpi = calculated(objective, "[REV] + [GP]", missing_values=KPI.MissingValues.ZERO)
        enter(revenue, q[1], "180")
    assert snapshot(kpi, q[1]).value == Decimal("180")


def test_division_by_zero_leaves_no_value_and_the_explanation_says_so(sales, q, capture):
    objective, revenue, profit = sales
    with capture():
        kpi = calculated(objective, "[GP] / [REV] * 100")
        services.target_set(kpi=kpi, period=q[1], value=Decimal(30))
        enter(revenue, q[1], "0")
        enter(profit, q[1], "45")
    assert snapshot(kpi, q[1]).value is None
    text = explain(
        scorecard=kpi.objective.scorecard, subject_type="kpi", subject_id=kpi.pk, period=q[1]
    )
    assert "division by zero at column 6" in text.summary


def test_the_explanation_shows_the_formula_with_its_inputs(margin, q):
    text = explain(
        scorecard=margin.objective.scorecard,
        subject_type="kpi",
        subject_id=margin.pk,
        period=q[1],
    )
    assert "[GP] / [REV] * 100 = 45 / 180 * 100 = 25" in text.notes


def test_another_units_input_recomputes_the_formula_there(org, people, financial, q, capture):
    with capture():
        south_objective = objective_of(org.south_ops, financial)
        cost = services.kpi_create(objective=south_objective, name="Cost", code="C")
        north_objective = objective_of(org.north_sales, financial)
        doubled = calculated(
            north_objective, f"[{org.south_ops.slug}:C] * 2", by=people.manager, code="D"
        )
        enter(cost, q[1], "7")
    assert snapshot(doubled, q[1]).value == Decimal("14")
    with capture():
        enter(cost, q[1], "8")
    # South Ops is not above North Sales: the formula's reader joins the chain.
    assert snapshot(doubled, q[1]).value == Decimal("16")
    assert sum(result.changed for result in recompute_everything()) == 0


def test_prev_and_ytd_follow_a_change_into_later_quarters(sales, q, capture):
    objective, revenue, _ = sales
    with capture():
        growth = calculated(objective, "[REV] - prev([REV])", code="G")
        so_far = calculated(objective, "ytd([REV])", code="Y")
        enter(revenue, q[1], "100")
        enter(revenue, q[2], "120")
        enter(revenue, q[3], "90")
    # Revenue's time aggregation is the default, average: (100 + 120) / 2 = 110 in Q2.
    assert snapshot(growth, q[2]).value == Decimal("20")
    assert snapshot(growth, q[3]).value == Decimal("-30")
    assert snapshot(so_far, q[2]).value == Decimal("110")
    assert snapshot(so_far, q[3]).value == Decimal("103.333333")
    assert snapshot(growth, q[1]).value is None  # no FY2025 Q4
    with capture():
        enter(revenue, q[1], "130")
    # Changing Q1 recomputes Q2 (prev) and Q2–Q4 (ytd).
    assert snapshot(growth, q[2]).value == Decimal("-10")
    assert snapshot(so_far, q[2]).value == Decimal("125")
    assert snapshot(so_far, q[3]).value == Decimal("113.333333")
    assert sum(result.changed for result in recompute_everything()) == 0


def test_a_formula_of_a_formula_is_computed_after_its_input(sales, q, capture):
    objective, revenue, profit = sales
    with capture():
        margin = calculated(objective, "[GP] / [REV] * 100")
        calculated(objective, "[GM] / 100", code="R")
        services.target_set(kpi=margin, period=q[1], value=Decimal(20))
        enter(revenue, q[1], "200")
        enter(profit, q[1], "50")
    ratio = KPI.objects.get(code="R")
    assert snapshot(ratio, q[1]).value == Decimal("0.25")
    # 25 against target 20 (red flag 18): (10/3)·(1 + 7/2) = 15 → 10, green.
    assert snapshot(margin, q[1]).status == GREEN
    assert sum(result.changed for result in recompute_everything()) == 0


def test_the_untaken_branch_of_if_does_not_blank_the_value(sales, q, capture):
    objective, revenue, _ = sales
    with capture():
        kpi = calculated(objective, "if([REV] > 100, [REV], [GP])", code="I")
        services.target_set(kpi=kpi, period=q[1], value=Decimal(200))
        enter(revenue, q[1], "190")
    row = snapshot(kpi, q[1])
    # 190 against 200 (red flag 180): (10/3)·(1 + 10/20) = 5, amber.
    assert (row.value, row.score, row.status) == (Decimal("190"), Decimal("5"), AMBER)


# API and editor -------------------------------------------------------------------------------


@pytest.fixture
def api(people):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(people.manager)
    return client


def new_calculated(objective, **overrides):
    return {
        "objective": objective.pk,
        "name": "Gross margin",
        "code": "GM",
        "unit": "%",
        "source": "formula",
        "formula": "[GP] / [REV] * 100",
        "missing_values": "zero",
    } | overrides


def test_the_api_creates_a_calculated_kpi(api, sales):
    objective, _, _ = sales
    response = api.post("/api/kpis/", new_calculated(objective), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["source"], body["formula"], body["missing_values"], body["code"]) == (
        "formula",
        "[GP] / [REV] * 100",
        "zero",
        "GM",
    )


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("[GP] / (", "The formula ends too early at column 9."),
        ("[GP] / [NOPE]", "No KPI you may see has the code [NOPE] at column 8."),
        ("", "Enter a formula."),
    ],
)
def test_the_api_refuses_a_bad_formula_with_its_column(api, sales, formula, message):
    objective, _, _ = sales
    response = api.post("/api/kpis/", new_calculated(objective, formula=formula), format="json")
    assert response.status_code == 400
    assert response.json() == {"formula": [message]}
    assert not KPI.objects.filter(code="GM").exists()


def test_the_api_refuses_a_cycle(api, sales):
    objective, _, _ = sales
    first = calculated(objective, "[GP] * 2", code="A")
    calculated(objective, "[A] + 1", code="B")
    response = api.patch(f"/api/kpis/{first.pk}/", {"formula": "[B]"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "formula": ["[B] reads this KPI, so the formula would run in a circle, at column 1."]
    }


def editor_url(name, unit, *args):
    from django.urls import reverse

    return reverse(f"editor:{name}", args=[unit.slug, *args])


def test_the_live_check_shows_the_error_and_its_column_then_ok(client, org, people, sales):
    objective, _, _ = sales
    client.force_login(people.north_manager)
    check = editor_url("formula_check", org.north_sales) + f"?objective={objective.pk}"
    wrong = client.post(check, {"formula": "[GP] / * [REV]"}, HTTP_HX_REQUEST="true")
    assert wrong.status_code == 200
    assert 'Unexpected "*" at column 8.' in html.unescape(wrong.content.decode())
    right = client.post(check, {"formula": "[GP] / [REV] * 100"}, HTTP_HX_REQUEST="true")
    assert "OK: uses [GP], [REV]" in right.content.decode()
    # Reads only.
    assert not KPI.objects.filter(source=KPI.Source.FORMULA).exists()


def test_the_live_check_is_for_managers_only(client, org, people, sales):
    objective, _, _ = sales
    client.force_login(people.owner)
    check = editor_url("formula_check", org.north_sales) + f"?objective={objective.pk}"
    assert client.post(check, {"formula": "1"}).status_code == 403


def test_the_editor_lists_the_codes_and_saves_a_calculated_kpi(client, org, people, sales):
    objective, _, _ = sales
    client.force_login(people.north_manager)
    page = client.get(editor_url("editor", org.north_sales)).content.decode()
    assert "<code>[GP]</code> Gross profit" in page
    assert "<code>[REV]</code> Revenue" in page
    form = {
        "code": "GM",
        "name": "Gross margin",
        "unit": "%",
        "source": "formula",
        "formula": "[GP] / [REV] * 100",
        "missing_values": "blank",
    }
    refused = client.post(
        editor_url("kpi_add", org.north_sales, objective.pk), form | {"formula": "[GP] /"}
    )
    assert "The formula ends too early at column 7." in refused.content.decode()
    assert not KPI.objects.filter(code="GM").exists()
    client.post(editor_url("kpi_add", org.north_sales, objective.pk), form)
    saved = KPI.objects.get(code="GM")
    assert (saved.source, saved.formula) == (KPI.Source.FORMULA, "[GP] / [REV] * 100")
