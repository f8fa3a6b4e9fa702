"""Every score on the scorecard page says how it was made."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kpis import explain
from kpis import services as kpi_services
from reviews import services as review_services
from scorecard import services as core
from strategy import services as strategy_services

Q1 = "FY2026-Q1"


@pytest.fixture
def sheet(org, people, financial, customer, north_sales_kpi, django_capture_on_commit_callbacks):
    """North Sales, FY2026 Q1, hand-worked:
    revenue 95 vs target 100 (red flag 90): 10/3 × (1 + 5/10) = 5.000000, amber;
    satisfaction has a target of 8 and no value yet: no data;
    objective "Grow regional revenue" = 5.0 (1 of 1); "Delight customers" = none (0 of 1);
    Financial perspective 5.0, Customer none; scorecard 5.0 (1 of 2 perspectives)."""
    q1 = core.period_for_key(Q1)
    with django_capture_on_commit_callbacks(execute=True):
        objective = strategy_services.objective_create(
            scorecard=org.north_sales.scorecard, perspective=customer, title="Delight customers"
        )
        satisfaction = kpi_services.kpi_create(
            objective=objective, name="Customer satisfaction", unit="score", owner=people.owner
        )
        kpi_services.target_set(kpi=satisfaction, period=q1, value="8")
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.actual_enter(kpi=north_sales_kpi, period=q1, value="95", by=people.owner)
    return org.north_sales.scorecard, q1


def test_it_explains_a_kpi_score_with_the_formula_filled_in(sheet, north_sales_kpi):
    scorecard, q1 = sheet

    why = explain.explain(
        scorecard=scorecard, subject_type="kpi", subject_id=north_sales_kpi.pk, period=q1
    )

    assert why.snapshot.score == Decimal("5.000000")
    # Values with the KPI's decimals (1 here), the score with one, as the pages show them.
    assert why.summary == "95.0 misses the target of 100.0 but not the red flag of 90.0: amber."
    assert why.formula == (
        "10/3 × (1 + (a − r) ÷ (t − r)) = 10/3 × (1 + (95.0 − 90.0) ÷ (100.0 − 90.0)) = 5.0"
    )
    assert "red flag 90.0 (the default: 10 % of the target away from it)" in why.notes[0]


def test_it_explains_an_aggregate_and_names_who_is_missing(sheet):
    scorecard, q1 = sheet

    why = explain.explain(
        scorecard=scorecard, subject_type="scorecard", subject_id=scorecard.pk, period=q1
    )

    assert [(m.label, m.number) for m in why.members] == [
        ("Financial", Decimal("5.000000")),
        ("Customer", None),
    ]
    assert [m.label for m in why.missing] == ["Customer"]
    assert why.formula == "(5.0 × 1) ÷ 1 = 5.0"
    assert "1 of 2 reported" in why.summary


def test_every_score_on_the_page_links_to_its_explanation(client, people, sheet, north_sales_kpi):
    scorecard, _ = sheet
    client.force_login(people.owner)

    html = client.get(
        reverse("scorecard:scorecard", args=[scorecard.org_unit.slug]) + f"?period={Q1}"
    ).content.decode()

    # 1 scorecard + 2 perspectives with objectives + 2 objectives + 2 KPIs.
    assert html.count('class="why"') == 7
    kpi_why = reverse("kpis:explanation", args=[scorecard.org_unit.slug, "kpi", north_sales_kpi.pk])
    assert f'href="{kpi_why}?period={Q1}"' in html


def test_it_serves_the_explanation_as_a_page_and_as_an_htmx_fragment(client, people, sheet):
    scorecard, _ = sheet
    url = reverse("kpis:explanation", args=[scorecard.org_unit.slug, "scorecard", scorecard.pk])
    client.force_login(people.executive)

    page = client.get(f"{url}?period={Q1}")
    fragment = client.get(f"{url}?period={Q1}", headers={"HX-Request": "true"})

    assert page.status_code == fragment.status_code == 200
    assert "<html" in page.content.decode()
    assert fragment.content.decode().lstrip().startswith('<section class="explanation card"')
    assert "Missing: Customer" in fragment.content.decode()


def test_it_refuses_an_explanation_to_someone_without_a_role(client, people, sheet):
    scorecard, _ = sheet
    client.force_login(people.south_team_manager)
    url = reverse("kpis:explanation", args=[scorecard.org_unit.slug, "scorecard", scorecard.pk])

    assert client.get(f"{url}?period={Q1}").status_code == 403


@pytest.mark.parametrize(("subject_type", "subject_id"), [("kpi", 999999), ("galaxy", 1)])
def test_it_answers_404_for_a_subject_that_is_not_on_the_scorecard(
    client, people, sheet, subject_type, subject_id
):
    scorecard, _ = sheet
    client.force_login(people.manager)
    url = reverse("kpis:explanation", args=[scorecard.org_unit.slug, subject_type, subject_id])

    assert client.get(f"{url}?period={Q1}").status_code == 404


def test_it_lists_the_initiatives_serving_an_objective(client, people, sheet):
    scorecard, _ = sheet
    objective = scorecard.objectives.get(title="Delight customers")
    review_services.initiative_create(
        scorecard=scorecard, name="Customer voice programme", objectives=[objective],
        status="at_risk", percent_complete=25,
    )  # fmt: skip
    client.force_login(people.owner)
    url = reverse("kpis:explanation", args=[scorecard.org_unit.slug, "objective", objective.pk])

    html = client.get(f"{url}?period={Q1}", headers={"HX-Request": "true"}).content.decode()

    assert "Customer voice programme</a> · At risk · 25 % complete" in html


# Explanations in sentences (issue 17): each case worked by hand, not read off the code.


def test_it_opens_an_at_least_kpi_on_target_with_a_sentence_in_its_unit(
    sheet, people, financial, django_capture_on_commit_callbacks
):
    scorecard, q1 = sheet
    with django_capture_on_commit_callbacks(execute=True):
        objective = strategy_services.objective_create(
            scorecard=scorecard, perspective=financial, title="Sell online"
        )
        share = kpi_services.kpi_create(
            objective=objective, name="Digital share", unit="%", decimals=1, owner=people.owner
        )
        kpi_services.target_set(kpi=share, period=q1, value="38.7")
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.actual_enter(kpi=share, period=q1, value="41.5", by=people.owner)

    why = explain.explain(scorecard=scorecard, subject_type="kpi", subject_id=share.pk, period=q1)

    # 41.5 is at least 38.7: on target. Red flag 38.7 less 10 % of it = 34.83, shown 34.8;
    # score 10/3 × (1 + (41.5 − 34.83) ÷ (38.7 − 34.83)) = 10/3 × 2.7235 = 9.08, shown 9.1.
    assert why.headline == "On target: 41.5 % against 38.7 %."
    assert why.formula.endswith("(41.5 − 34.8) ÷ (38.7 − 34.8)) = 9.1")


def test_it_opens_an_amber_kpi_with_its_numbers_at_its_decimals(sheet, north_sales_kpi):
    scorecard, q1 = sheet

    why = explain.explain(
        scorecard=scorecard, subject_type="kpi", subject_id=north_sales_kpi.pk, period=q1
    )

    # 95 misses the target of 100 but not the red flag of 90 (see the fixture): at risk.
    assert why.headline == "At risk: 95.0 USD against 100.0 USD."


def test_it_opens_a_band_with_both_edges_and_its_zones_at_the_kpis_decimals(
    sheet, people, financial, django_capture_on_commit_callbacks
):
    scorecard, q1 = sheet
    with django_capture_on_commit_callbacks(execute=True):
        objective = strategy_services.objective_create(
            scorecard=scorecard, perspective=financial, title="Spend the budget"
        )
        used = kpi_services.kpi_create(
            objective=objective,
            name="Budget used",
            unit="%",
            target_type="band",
            decimals=1,
            owner=people.owner,
        )
        kpi_services.target_set(kpi=used, period=q1, value="98", value_high="100")
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.actual_enter(kpi=used, period=q1, value="99", by=people.owner)

    why = explain.explain(scorecard=scorecard, subject_type="kpi", subject_id=used.pk, period=q1)

    # 99 lies inside 98–100: on target. The red flags are 10 % of each edge outside it:
    # 98 − 9.8 = 88.2 and 100 + 10 = 110.
    assert why.headline == "On target: 99.0 % against 98.0–100.0 %."
    assert (
        "green 98.0–100.0, amber 88.2–98.0 or 100.0–110.0, red below 88.2 or above 110.0"
        in why.notes[-1]
    )


def test_it_opens_an_objective_with_its_rolled_up_score(
    sheet, people, north_sales_kpi, django_capture_on_commit_callbacks
):
    scorecard, q1 = sheet
    with django_capture_on_commit_callbacks(execute=True):
        orders = kpi_services.kpi_create(
            objective=north_sales_kpi.objective, name="Orders", unit="orders", owner=people.owner
        )
        kpi_services.target_set(kpi=orders, period=q1, value="50")
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.actual_enter(kpi=orders, period=q1, value="55", by=people.owner)

    why = explain.explain(
        scorecard=scorecard,
        subject_type="objective",
        subject_id=north_sales_kpi.objective_id,
        period=q1,
    )

    # Revenue scores 5.0 (the fixture); orders 55 against 50, red flag 45:
    # 10/3 × (1 + 10/5) = 10. The mean of 5 and 10 at weight 1 each is 7.5: green.
    assert why.headline == "On target: 7.5 out of 10, from 2 of 2 KPIs."
    assert why.formula == "(5.0 × 1 + 10.0 × 1) ÷ 2 = 7.5"


def test_the_page_shows_the_sentence_first_and_the_arithmetic_behind_a_toggle(
    client, people, sheet, north_sales_kpi
):
    scorecard, _q1 = sheet
    client.force_login(people.owner)
    url = reverse("kpis:explanation", args=[scorecard.org_unit.slug, "kpi", north_sales_kpi.pk])

    html = client.get(f"{url}?period={Q1}", headers={"HX-Request": "true"}).content.decode()

    headline = html.index("At risk: 95.0 USD against 100.0 USD.")
    workings = html.index('<details class="explanation-workings">')
    assert headline < workings < html.index("10/3 × (1 + (a − r)")
