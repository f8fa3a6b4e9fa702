"""Issue 13, observation 4: a KPI's direction says on which side of a target its red flag lies.

Flipped while explicit red flags are stored, every such quarter would score as having no
target, so the flip is refused on `direction` wherever it is asked for: the API (400), the
editor and the admin (the message beside the field). Targets with the default red flag follow
the new direction. And a target that cannot score (stored before this rule) never turns an
owner's save into a server error.

The KPI (tests/conftest.py): North Sales' "Regional revenue", direction up, tolerance 10 %,
owned by the owner persona, target 100 in FY2026 Q1 (no red flag set).
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape
from rest_framework.test import APIClient

from kpis import services as kpi_services
from kpis.models import KPI, Actual, ScoreSnapshot, Target
from kpis.services.changes import DIRECTION_WITH_RED_FLAGS
from scorecard import services as core
from tests.admin_forms import form_errors, post_change, shown_form

COMMENT = "Explained in the quarterly review."
ONE_FLAGGED_QUARTER = (
    "FY2026 Q2 has a red flag set below the target, which a KPI where lower is better cannot "
    "score with. Clear those red flags in the targets grid first (the default red flag "
    "follows the direction), then change the direction."
)


@pytest.fixture(autouse=True)
def mid_may():
    # FY2026 Q1 and Q2 have started: owners may enter their actuals.
    with time_machine.travel(dt.datetime(2026, 5, 15, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def flagged(north_sales_kpi):
    """The KPI with an explicit red flag in FY2026 Q2: target 100, red flag 90."""
    q2 = core.period_for_key("FY2026-Q2")
    kpi_services.target_set(kpi=north_sales_kpi, period=q2, value="100", red_flag="90")
    return north_sales_kpi


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def stored_direction(kpi) -> str:
    return KPI.objects.get(pk=kpi.pk).direction


def test_the_message_is_the_one_the_tests_read():
    assert (
        DIRECTION_WITH_RED_FLAGS.format(
            periods="FY2026 Q2", have="has", side="below", meaning="lower is better"
        )
        == ONE_FLAGGED_QUARTER
    )


def test_the_api_refuses_a_direction_flip_while_red_flags_are_set(people, flagged):
    history = flagged.history.count()

    response = api_as(people.north_manager).patch(
        f"/api/kpis/{flagged.pk}/", {"direction": "down"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"direction": [ONE_FLAGGED_QUARTER]}
    assert stored_direction(flagged) == "up"
    assert flagged.history.count() == history


def test_the_api_names_every_flagged_quarter_up_to_four(people, north_sales_kpi):
    for key in ("FY2025-Q3", "FY2025-Q4", "FY2026-Q1", "FY2026-Q2", "FY2026-Q3"):
        kpi_services.target_set(
            kpi=north_sales_kpi, period=core.period_for_key(key), value="50", red_flag="40"
        )

    response = api_as(people.admin).patch(
        f"/api/kpis/{north_sales_kpi.pk}/", {"direction": "down"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["direction"][0].startswith(
        "FY2025 Q3, FY2025 Q4, FY2026 Q1, FY2026 Q2 and 1 more have a red flag set below"
    )


def test_the_editor_puts_the_refusal_beside_the_direction(client, org, people, flagged):
    client.force_login(people.north_manager)
    url = reverse("editor:kpi_edit", args=[org.north_sales.slug, flagged.pk])
    form = {
        "name": flagged.name, "unit": "USD", "decimals": "1", "direction": "down",
        "indicator_type": "lagging", "owner": people.owner.pk, "owning_team": "",
        "weight": "1", "tolerance_pct": "10", "source": "manual", "rolls_up_to": "",
        "rollup_method": "",
    }  # fmt: skip

    html = client.post(url, form, headers={"HX-Request": "true"}).content.decode()

    errors = f'<ul class="field-errors" id="kpi-{flagged.pk}-direction-errors" role="alert">'
    assert f"{errors}<li>{escape(ONE_FLAGGED_QUARTER)}</li></ul>" in html
    assert stored_direction(flagged) == "up"


def test_the_admin_puts_the_refusal_beside_the_direction(client, people, flagged):
    client.force_login(people.admin)

    response = post_change(client, KPI, flagged.pk, direction="down")

    assert form_errors(response) == {"direction": [ONE_FLAGGED_QUARTER]}
    assert stored_direction(flagged) == "up"


def test_it_lets_the_direction_flip_back_and_forth_without_red_flags(people, north_sales_kpi):
    client = api_as(people.north_manager)
    url = f"/api/kpis/{north_sales_kpi.pk}/"

    assert client.patch(url, {"direction": "down"}, format="json").status_code == 200
    assert stored_direction(north_sales_kpi) == "down"
    assert client.patch(url, {"direction": "up"}, format="json").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_default_red_flag_follows_a_flip_and_the_scores_with_it(people, north_sales_kpi):
    q1 = core.period_for_key("FY2026-Q1")
    kpi_services.actual_enter(kpi=north_sales_kpi, period=q1, value="104", comment=COMMENT)
    snapshot = ScoreSnapshot.objects.filter(
        subject_type="kpi", subject_id=north_sales_kpi.pk, period=q1
    )  # the quarter's own; FY2026 folds it (issue 15)
    # Up: red flag 90, (10/3)·(1 + (104 − 90)/(100 − 90)) = (10/3)·2.4 = 8, green.
    assert snapshot.values_list("score", "status").get() == (Decimal("8"), "green")

    response = api_as(people.north_manager).patch(
        f"/api/kpis/{north_sales_kpi.pk}/", {"direction": "down"}, format="json"
    )

    assert response.status_code == 200
    # Down: red flag 110, (10/3)·(1 + (104 − 110)/(100 − 110)) = (10/3)·1.6 = 5.333333;
    # 104 is above the target and below the red flag: amber.
    assert snapshot.values_list("score", "status").get() == (Decimal("5.333333"), "amber")


@pytest.fixture
def unusable(north_sales_kpi):
    """A FY2026 Q1 target whose red flag, 110, lies on the good side of 100 for a KPI where
    higher is better: as stored by a direction flip before the rule above existed."""
    Target.objects.filter(kpi=north_sales_kpi).update(red_flag=Decimal("110"))
    return north_sales_kpi


def test_my_updates_saves_against_a_target_that_cannot_score(client, people, unusable):
    client.force_login(people.owner)
    url = f"{reverse('kpis:actual_save', args=[unusable.pk])}?period=FY2026-Q1"

    response = client.post(
        url, {"value": "50", "comment": "", "version": "0"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    # The target scores as no target: nothing is red, so no comment is asked for.
    assert Actual.objects.get(kpi=unusable).value == Decimal("50")


def test_the_bulk_api_saves_against_a_target_that_cannot_score(people, unusable):
    response = api_as(people.owner).post(
        "/api/actuals/bulk/",
        [{"kpi": unusable.pk, "period": "FY2026-Q1", "value": "50"}],
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json() == {"saved": 1}
    assert Actual.objects.get(kpi=unusable).value == Decimal("50")


def test_reverting_to_an_old_version_in_the_admin_meets_the_same_rule(client, people, flagged):
    client.force_login(people.admin)
    Target.objects.filter(kpi=flagged).update(red_flag=None)
    kpi_services.kpi_update(kpi=KPI.objects.get(pk=flagged.pk), direction="down")
    q2 = core.period_for_key("FY2026-Q2")
    kpi_services.target_set(kpi=flagged, period=q2, value="100", red_flag="110")
    first = flagged.history.earliest("history_date")
    url = reverse("admin:kpis_kpi_simple_history", args=[flagged.pk, first.history_id])
    shown = client.get(url)

    response = client.post(url, shown_form(shown) | {"_save": "Revert"})

    assert form_errors(response) == {
        "direction": [
            "FY2026 Q2 has a red flag set above the target, which a KPI where higher is better "
            "cannot score with. Clear those red flags in the targets grid first (the default "
            "red flag follows the direction), then change the direction."
        ]
    }
    assert stored_direction(flagged) == "down"
