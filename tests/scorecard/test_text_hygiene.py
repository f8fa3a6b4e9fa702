"""Issue 14, finding 13: titles and names refuse bidi controls and text that shows as nothing,
with the message on the field, on every write path (page form, API, admin, services)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from kpis.models import KPI
from reviews import services as review_services
from scorecard import services as core
from scorecard.models import OrgUnit, Perspective
from scorecard.text import TEXT_HAS_BIDI_CONTROL, TEXT_INVISIBLE, truncated, validate_display_text
from strategy import services as strategy_services
from strategy.models import Objective
from tests.admin_forms import form_errors, post_change

RTL_OVERRIDE = "Grow revenue \u202egpj.exe"
INVISIBLE = "\u200b\u200c \u2060\ufeff"

BIDI = [
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
]


@pytest.mark.parametrize("control", BIDI)
def test_it_refuses_every_bidi_control(control):
    with pytest.raises(ValidationError) as refused:
        validate_display_text(f"Grow {control}revenue")

    assert refused.value.messages == [TEXT_HAS_BIDI_CONTROL.format(code=ord(control))]


@pytest.mark.parametrize("text", ["\u200b", "\u200c\u200d", "\u2060", "\ufeff", " \u200b\t"])
def test_it_refuses_text_that_shows_as_nothing(text):
    with pytest.raises(ValidationError) as refused:
        validate_display_text(text)

    assert refused.value.messages == [TEXT_INVISIBLE]


@pytest.mark.parametrize(
    "text", ["Grow revenue", "مبيعات الشمال", "Ventes 👩\u200d👩\u200d👧", "Zoë", "", None]
)
def test_it_accepts_ordinary_text_in_any_script(text):
    validate_display_text(text)


def test_it_truncates_on_a_character_boundary_with_an_ellipsis():
    assert truncated("abcdef", 6) == "abcdef"
    assert truncated("abcdefg", 6) == "abcde…"
    # An accent is never parted from its letter.
    assert truncated("abcde\u0301fg", 6) == "abcd…"


@pytest.mark.django_db
@pytest.mark.parametrize("title", [RTL_OVERRIDE, INVISIBLE])
def test_the_service_refuses_such_an_objective_title(org, financial, title):
    with pytest.raises(ValidationError) as refused:
        strategy_services.objective_create(
            scorecard=org.north.scorecard, perspective=financial, title=title
        )

    assert "title" in refused.value.message_dict
    assert not Objective.objects.exists()


@pytest.mark.django_db
def test_the_editor_page_shows_the_refusal_on_the_title(client, org, people, financial):
    client.force_login(people.north_manager)

    response = client.post(
        reverse("editor:objective_add", args=[org.north.slug]),
        {"perspective": financial.pk, "title": RTL_OVERRIDE, "weight": "1"},
    )

    assert response.status_code == 400
    assert "invisible direction mark (U+202E)" in response.content.decode()
    assert not Objective.objects.exists()


@pytest.mark.django_db
def test_the_editor_page_refuses_a_kpi_unit_with_a_direction_mark(client, org, people, financial):
    objective = strategy_services.objective_create(
        scorecard=org.north.scorecard, perspective=financial, title="Grow north revenue"
    )
    client.force_login(people.north_manager)

    response = client.post(
        reverse("editor:kpi_add", args=[org.north.slug, objective.pk]),
        {
            "name": "Revenue",
            "unit": "\u202e$",
            "decimals": "1",
            "direction": "up",
            "indicator_type": "lagging",
            "weight": "1",
            "tolerance_pct": "10",
            "source": "manual",
        },
    )

    assert response.status_code == 400
    assert "invisible direction mark (U+202E)" in response.content.decode()
    assert not KPI.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/objectives/", {"title": INVISIBLE}, "title"),
        ("/api/kpis/", {"name": RTL_OVERRIDE, "unit": "%"}, "name"),
    ],
)
def test_the_api_answers_400_on_the_field(org, people, financial, path, body, field):
    objective = strategy_services.objective_create(
        scorecard=org.north.scorecard, perspective=financial, title="Grow north revenue"
    )
    api = APIClient()
    api.force_authenticate(people.north_manager)
    parents = {"scorecard": org.north.scorecard.pk, "perspective": financial.pk}
    if path == "/api/kpis/":
        parents = {"objective": objective.pk}

    response = api.post(path, parents | body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Objective.objects.count() == 1
    assert not KPI.objects.exists()


@pytest.mark.django_db
def test_the_admin_refuses_a_perspective_name_that_shows_as_nothing(client, people, financial):
    client.force_login(people.admin)

    response = post_change(client, Perspective, financial.pk, name=INVISIBLE)

    assert form_errors(response)["name"] == [TEXT_INVISIBLE]
    financial.refresh_from_db()
    assert financial.name != INVISIBLE


@pytest.mark.django_db
def test_units_and_action_titles_refuse_them_too(org, people):
    with pytest.raises(ValidationError) as unit_refused:
        core.org_unit_create(parent=org.north, name=RTL_OVERRIDE, kind=OrgUnit.Kind.TEAM)
    assert "name" in unit_refused.value.message_dict

    with pytest.raises(ValidationError) as action_refused:
        review_services.action_item_create(
            scorecard=org.north.scorecard,
            title=INVISIBLE,
            owner=people.north_manager,
            due_date=date(2099, 1, 1),
        )
    assert "title" in action_refused.value.message_dict
