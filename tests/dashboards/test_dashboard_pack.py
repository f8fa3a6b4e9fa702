"""The quarterly pack: a print-ready page per scorecard and quarter, and its PDF.

North Sales in FY2026 Q1 (15 May 2026):
  Regional revenue (owner), target 100, red flag 90: actual 85 → past the red flag, red,
    score 10/3 × (1 + (85 − 90)/10) = 1.666667 ("Lost a key account").
  Customer satisfaction (owner), target 8, red flag 7.2: actual 7.6 → amber, 10/3 × (1 +
    0.4/0.8) = 5.000000 ("Survey in a bad week").
  Training hours (owner), target 10: actual 12 → green, not in the flagged list.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from kpis import services as kpi_services
from reviews import services as review_services
from scorecard import services as core
from strategy import services as strategy_services
from tests.pdf_text import pdf_text

Q1 = "FY2026-Q1"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 5, 15, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def pack_url(unit, name="dashboard:pack") -> str:
    return reverse(name, args=[unit.slug]) + f"?period={Q1}"


@pytest.fixture
def quarter(org, people, financial, customer, north_sales_kpi, django_capture_on_commit_callbacks):
    q1 = core.period_for_key(Q1)
    learning = customer.__class__.objects.get(order=1)
    with django_capture_on_commit_callbacks(execute=True):
        kpi_services.actual_enter(
            kpi=north_sales_kpi, period=q1, value="85", by=people.owner,
            comment="Lost a key account",
        )  # fmt: skip
        for perspective, title, name, target, actual, comment in [
            (customer, "Delight customers", "Customer satisfaction", "8", "7.6",
             "Survey in a bad week"),
            (learning, "Grow skills", "Training hours", "10", "12", ""),
        ]:  # fmt: skip
            objective = strategy_services.objective_create(
                scorecard=org.north_sales.scorecard, perspective=perspective, title=title
            )
            kpi = kpi_services.kpi_create(objective=objective, name=name, owner=people.owner)
            kpi_services.target_set(kpi=kpi, period=q1, value=Decimal(target))
            kpi_services.actual_enter(
                kpi=kpi, period=q1, value=actual, by=people.owner, comment=comment
            )
    review_services.action_item_create(
        scorecard=org.north_sales.scorecard, title="Win back the account", owner=people.owner,
        due_date=dt.date(2026, 5, 1), kpi=north_sales_kpi, backdated=True,
    )  # fmt: skip
    return org.north_sales


def test_it_prints_scores_map_flagged_kpis_with_comments_and_actions(client, people, quarter):
    client.force_login(people.executive)

    html = client.get(pack_url(quarter)).content.decode()

    flagged = html[html.index("Off target and at risk") : html.index("Open action items")]
    # Red before amber, with the owners' comments; the green KPI is not flagged.
    assert flagged.index("Regional revenue") < flagged.index("Customer satisfaction")
    assert "Lost a key account" in flagged and "Survey in a bad week" in flagged
    assert "Training hours" not in flagged
    assert "score 1.7" in flagged and "score 5.0" in flagged
    assert "Strategy map" in html and "Grow skills" in html
    assert "Win back the account" in html and "(overdue)" in html
    assert "<script" not in html and "style=" not in html


@pytest.mark.pdf
def test_it_downloads_the_pack_as_a_pdf(client, people, quarter):
    client.force_login(people.executive)

    response = client.get(pack_url(quarter, "dashboard:pack_pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="sightline-{quarter.slug}-{Q1}.pdf"'
    )
    text = pdf_text(response.content)
    # What the print page says, in the same order: red before amber, with the comments.
    assert text.index("Regional revenue") < text.index("Customer satisfaction")
    assert "Lost a key account" in text and "Survey in a bad week" in text
    assert "score 1.7" in text and "score 5.0" in text
    assert "Win back the account" in text and "(overdue)" in text


@pytest.mark.parametrize("persona", ["admin", "manager", "executive", "north_manager", "owner"])
def test_it_gives_the_pack_to_everyone_who_reads_the_unit(client, people, quarter, persona):
    client.force_login(getattr(people, persona))

    response = client.get(pack_url(quarter))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Regional revenue" in html and "Win back the account" in html


@pytest.mark.parametrize("persona", ["south_team_manager", "outsider"])
def test_it_refuses_the_pack_and_its_pdf_to_everyone_else(client, people, quarter, persona):
    client.force_login(getattr(people, persona))

    assert client.get(pack_url(quarter)).status_code == 403
    assert client.get(pack_url(quarter, "dashboard:pack_pdf")).status_code == 403


def test_it_sends_anonymous_visitors_to_sign_in(client, quarter):
    response = client.get(pack_url(quarter, "dashboard:pack_pdf"))

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
