"""The scorecard editor: who may open it, adding, editing, reordering, archiving and
deleting objectives and KPIs, undo of the last change, the audit trail, and its cost in
queries. Bad input is refused with the services' messages and saves nothing."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from kpis import services as kpi_services
from kpis.editor import urls as editor_urls
from kpis.editor.forms import KPI_NAME_REQUIRED, WEIGHT_NOT_A_NUMBER
from kpis.editor.views import sheet
from kpis.models import KPI, ROLLUP_PARENT_NOT_ANCESTOR, ROLLUP_UNIT_MISMATCH
from scorecard import services as core
from scorecard.models import WEIGHT_NEGATIVE
from strategy import services as strategy_services
from strategy.models import TITLE_TAKEN, Objective
from strategy.services import OBJECTIVE_HAS_CONTENT, OWNER_CANNOT_SEE_UNIT, TITLE_REQUIRED


def url(name, unit, *args):
    return reverse(f"editor:{name}", args=[unit.slug, *args])


def objective_form(perspective, **overrides):
    data = {
        "perspective": perspective.pk,
        "title": "Grow repeat business",
        "description": "",
        "owner": "",
        "owning_team": "",
        "weight": "1",
    }
    return data | overrides


def kpi_form(**overrides):
    data = {
        "name": "Repeat orders",
        "unit": "%",
        "decimals": "1",
        "direction": "up",
        "indicator_type": "leading",
        "owner": "",
        "owning_team": "",
        "weight": "1",
        "tolerance_pct": "10",
        "source": "manual",
        "rolls_up_to": "",
        "rollup_method": "",
    }
    return data | overrides


@pytest.fixture
def north_goal(org, people, financial):
    return strategy_services.objective_create(
        scorecard=org.north.scorecard, perspective=financial, title="Grow north revenue"
    )


@pytest.mark.parametrize("persona", ["admin", "manager", "north_manager"])
def test_it_opens_the_editor_for_managers_of_the_unit_or_above(client, org, people, persona):
    client.force_login(getattr(people, persona))

    response = client.get(url("editor", org.north))

    assert response.status_code == 200
    assert b"Add an objective" in response.content


@pytest.mark.parametrize("persona", ["owner", "south_team_manager", "executive", "outsider"])
def test_it_refuses_the_editor_to_everyone_else(client, org, people, persona):
    client.force_login(getattr(people, persona))

    assert client.get(url("editor", org.north)).status_code == 403


def test_it_sends_anonymous_visitors_to_sign_in(client, org):
    response = client.get(url("editor", org.north))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_old_kpis_names_still_reverse_to_the_editor_paths(org):
    assert reverse("editor:editor", args=[org.north.slug]) == reverse(
        "kpis:editor", args=[org.north.slug]
    )


# A value for each kind of URL argument, to reverse every editor pattern.
SAMPLE_ARGUMENTS = {"SlugConverter": "north", "IntConverter": 7, "StringConverter": "kpi"}


@pytest.mark.parametrize("pattern", editor_urls.urlpatterns, ids=lambda pattern: pattern.name)
def test_every_editor_name_keeps_its_old_kpis_alias(pattern):
    converters = pattern.pattern.converters
    kwargs = {
        name: SAMPLE_ARGUMENTS[type(converter).__name__] for name, converter in converters.items()
    }

    assert reverse(f"editor:{pattern.name}", kwargs=kwargs) == reverse(
        f"kpis:{pattern.name}", kwargs=kwargs
    )


def test_it_adds_an_objective_and_undoes_it(client, org, people, customer):
    client.force_login(people.north_manager)

    response = client.post(
        url("objective_add", org.north),
        objective_form(customer, owner=people.north_manager.pk, weight="2.5"),
    )

    assert response.status_code == 302
    objective = Objective.objects.get(scorecard=org.north.scorecard)
    assert (objective.title, objective.owner, objective.weight, objective.perspective) == (
        "Grow repeat business",
        people.north_manager,
        Decimal("2.5"),
        customer,
    )
    page = client.get(url("editor", org.north)).content.decode()
    assert "Undo added “Grow repeat business”" in page

    client.post(url("editor_undo", org.north))

    assert not Objective.objects.filter(scorecard=org.north.scorecard).exists()


def test_it_answers_htmx_with_the_editor_body(client, org, people, customer):
    client.force_login(people.north_manager)

    response = client.post(
        url("objective_add", org.north), objective_form(customer), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="editor-body"')
    assert "Grow repeat business" in body
    assert "<html" not in body


def test_it_edits_an_objective_and_undo_restores_the_old_values(
    client, org, people, north_goal, customer
):
    client.force_login(people.north_manager)

    client.post(
        url("objective_edit", org.north, north_goal.pk),
        objective_form(customer, title="Grow north margin", weight="3"),
    )
    north_goal.refresh_from_db()
    assert (north_goal.title, north_goal.weight, north_goal.perspective) == (
        "Grow north margin",
        Decimal("3"),
        customer,
    )

    client.post(url("editor_undo", org.north))

    north_goal.refresh_from_db()
    assert (north_goal.title, north_goal.weight, north_goal.perspective.order) == (
        "Grow north revenue",
        Decimal("1"),
        4,
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, TITLE_REQUIRED),
        ({"title": "grow NORTH revenue"}, TITLE_TAKEN),
        ({"weight": "-1"}, WEIGHT_NEGATIVE),
        ({"weight": "heavy"}, WEIGHT_NOT_A_NUMBER),
    ],
)
def test_it_refuses_bad_objectives_and_saves_nothing(
    client, org, people, north_goal, financial, overrides, message
):
    client.force_login(people.north_manager)

    response = client.post(url("objective_add", org.north), objective_form(financial, **overrides))

    assert response.status_code == 400
    assert escape(message) in response.content.decode()
    assert Objective.objects.filter(scorecard=org.north.scorecard).count() == 1


def test_it_refuses_an_owner_who_cannot_see_the_unit(client, org, people, financial):
    client.force_login(people.manager)

    response = client.post(
        url("objective_add", org.north),
        objective_form(financial, owner=people.south_team_manager.pk),
    )

    assert response.status_code == 400
    expected = OWNER_CANNOT_SEE_UNIT.format(user="south_team_manager", unit="North")
    assert escape(expected) in response.content.decode()
    assert not Objective.objects.filter(scorecard=org.north.scorecard).exists()


def test_it_refuses_an_edit_by_the_manager_of_a_sibling_unit(
    client, org, people, north_goal, financial
):
    sibling_manager = people.south_team_manager
    core.membership_grant(user=sibling_manager, org_unit=org.south, role="manager")
    client.force_login(sibling_manager)

    response = client.post(
        url("objective_edit", org.north, north_goal.pk),
        objective_form(financial, title="Taken over"),
    )

    assert response.status_code == 403
    north_goal.refresh_from_db()
    assert north_goal.title == "Grow north revenue"


def test_it_adds_a_kpi_with_every_field(client, org, people, north_goal):
    client.force_login(people.north_manager)

    client.post(
        url("kpi_add", org.north, north_goal.pk),
        kpi_form(
            description="Orders from returning customers",
            decimals="2",
            direction="down",
            owner=people.executive.pk,
            owning_team=org.north_sales.pk,
            weight="2",
            tolerance_pct="5",
        ),
    )

    kpi = KPI.objects.get(objective=north_goal)
    assert (
        kpi.name,
        kpi.description,
        kpi.unit,
        kpi.decimals,
        kpi.direction,
        kpi.indicator_type,
        kpi.owner,
        kpi.owning_team,
        kpi.weight,
        kpi.tolerance_pct,
        kpi.source,
    ) == (
        "Repeat orders",
        "Orders from returning customers",
        "%",
        2,
        "down",
        "leading",
        people.executive,
        org.north_sales,
        Decimal("2"),
        Decimal("5"),
        "manual",
    )


def test_it_refuses_a_kpi_without_a_name(client, org, people, north_goal):
    client.force_login(people.north_manager)

    response = client.post(url("kpi_add", org.north, north_goal.pk), kpi_form(name=""))

    assert response.status_code == 400
    assert KPI_NAME_REQUIRED in response.content.decode()
    assert not KPI.objects.exists()


@pytest.fixture
def rollup_parents(org, people, financial):
    """Acme's roll-up KPI "Revenue" (USD) and South's roll-up "South revenue" (USD)."""
    acme_goal = strategy_services.objective_create(
        scorecard=org.acme.scorecard, perspective=financial, title="Grow group revenue"
    )
    south_goal = strategy_services.objective_create(
        scorecard=org.south.scorecard, perspective=financial, title="Grow south revenue"
    )
    return (
        kpi_services.kpi_create(
            objective=acme_goal, name="Revenue", unit="USD", source="rollup", rollup_method="sum"
        ),
        kpi_services.kpi_create(
            objective=south_goal,
            name="South revenue",
            unit="USD",
            source="rollup",
            rollup_method="sum",
        ),
    )


def test_it_refuses_a_kpi_rolling_up_to_a_unit_not_above_or_in_another_unit(
    client, org, people, north_goal, rollup_parents
):
    acme_revenue, south_revenue = rollup_parents
    client.force_login(people.manager)

    sideways = client.post(
        url("kpi_add", org.north, north_goal.pk),
        kpi_form(unit="USD", rolls_up_to=south_revenue.pk),
    )
    other_unit = client.post(
        url("kpi_add", org.north, north_goal.pk),
        kpi_form(unit="EUR", rolls_up_to=acme_revenue.pk),
    )

    assert escape(ROLLUP_PARENT_NOT_ANCESTOR.format(unit="South", own="North")) in (
        sideways.content.decode()
    )
    assert escape(ROLLUP_UNIT_MISMATCH.format(own="EUR", parent="USD")) in (
        other_unit.content.decode()
    )
    assert not KPI.objects.filter(objective=north_goal).exists()


def test_it_archives_an_objective_with_kpis_and_undo_brings_it_back(
    client, org, people, north_goal
):
    kpi_services.kpi_create(objective=north_goal, name="Revenue", unit="USD")
    client.force_login(people.north_manager)

    client.post(url("objective_archive", org.north, north_goal.pk))
    north_goal.refresh_from_db()
    assert north_goal.archived_at is not None

    client.post(url("editor_undo", org.north))
    north_goal.refresh_from_db()
    assert north_goal.archived_at is None


def test_it_deletes_an_empty_objective_after_confirmation(client, org, people, north_goal):
    client.force_login(people.north_manager)

    confirm = client.get(url("objective_delete", org.north, north_goal.pk))
    assert confirm.status_code == 200
    assert "cannot be undone" in confirm.content.decode()
    assert Objective.objects.filter(pk=north_goal.pk).exists()

    client.post(url("objective_delete", org.north, north_goal.pk))

    assert not Objective.objects.filter(pk=north_goal.pk).exists()


def test_it_refuses_to_delete_an_objective_that_holds_something(client, org, people, north_goal):
    kpi_services.kpi_create(objective=north_goal, name="Revenue", unit="USD")
    client.force_login(people.north_manager)

    response = client.post(url("objective_delete", org.north, north_goal.pk))

    assert response.status_code == 400
    assert OBJECTIVE_HAS_CONTENT in response.content.decode()
    assert Objective.objects.filter(pk=north_goal.pk).exists()


def test_it_moves_an_objective_up_within_its_perspective(client, org, people, financial):
    *_, third = (
        strategy_services.objective_create(
            scorecard=org.north.scorecard, perspective=financial, title=title
        )
        for title in ("Grow A", "Grow B", "Grow C")
    )
    client.force_login(people.north_manager)

    client.post(url("objective_move", org.north, third.pk), {"direction": "up"})

    ordered = Objective.objects.filter(scorecard=org.north.scorecard).order_by("order")
    assert [o.title for o in ordered] == ["Grow A", "Grow C", "Grow B"]


def test_it_moves_a_kpi_down_within_its_objective(client, org, people, north_goal):
    for name in ("Revenue", "Margin", "Orders"):
        kpi_services.kpi_create(objective=north_goal, name=name, unit="USD")
    client.force_login(people.north_manager)
    revenue = KPI.objects.get(name="Revenue")

    client.post(url("kpi_move", org.north, revenue.pk), {"direction": "down"})

    ordered = KPI.objects.filter(objective=north_goal).order_by("order")
    assert [k.name for k in ordered] == ["Margin", "Revenue", "Orders"]


def test_it_says_when_there_is_nothing_to_undo(client, org, people):
    client.force_login(people.north_manager)

    response = client.post(url("editor_undo", org.north))

    assert response.status_code == 400
    assert sheet.NOTHING_TO_UNDO in response.content.decode()


def test_it_shows_who_changed_what_in_the_audit_trail(client, org, people, north_goal, financial):
    client.force_login(people.north_manager)
    client.post(
        url("objective_edit", org.north, north_goal.pk),
        objective_form(financial, title="Grow north margin"),
    )

    page = client.get(url("item_history", org.north, "objective", north_goal.pk)).content.decode()

    assert "Title: Grow north revenue → Grow north margin" in page
    assert "north_manager" in page


def test_it_shows_the_health_panel_in_the_editor(client, org, people, north_goal):
    client.force_login(people.north_manager)

    page = client.get(url("editor", org.north)).content.decode()

    assert 'data-code="objective_without_kpi"' in page
    assert f'href="{url("editor", org.north)}#objective-{north_goal.pk}"' in page


def build_objectives(scorecard, perspective, count):
    for number in range(count):
        objective = strategy_services.objective_create(
            scorecard=scorecard, perspective=perspective, title=f"Grow line {number}"
        )
        kpi_services.kpi_create(objective=objective, name=f"Line {number}", unit="USD")


@pytest.mark.parametrize("count", [20, 60])
def test_it_holds_a_fixed_number_of_queries_at_20_and_60_objectives(
    client, org, people, financial, count, django_assert_max_num_queries
):
    build_objectives(org.north.scorecard, financial, count)
    client.force_login(people.north_manager)
    client.get(url("editor", org.north))  # Warm-up: the session and the period rows exist.

    # 1 session, 2 user, 3 scorecard with unit, 4 memberships; the health check: 5 settings,
    # 6 current period, 7 settings, 8 last ended period, 9 settings, 10 perspectives,
    # 11 objectives, 12 KPIs, 13 targets, 14 actuals, 15 snapshots, 16 links, 17 action
    # items; the sheet: 18 KPIs, 19 supported objectives, 20 objectives, 21 perspectives;
    # the choices: 22 people, 23 teams, 24 roll-up parents, 25 child units; 26 notifications
    # (the nav's badge).
    with django_assert_max_num_queries(26):
        response = client.get(url("editor", org.north))

    assert response.status_code == 200
    assert response.content.decode().count('class="kpi"') == count


def test_it_names_people_and_objectives_in_the_audit_trail(client, org, people, financial):
    group_goal = strategy_services.objective_create(
        scorecard=org.acme.scorecard, perspective=financial, title="Grow group revenue"
    )
    north_goal = strategy_services.objective_create(
        scorecard=org.north.scorecard, perspective=financial, title="Grow north revenue"
    )
    client.force_login(people.manager)
    client.post(
        url("objective_edit", org.north, north_goal.pk),
        objective_form(financial, title="Grow north revenue", owner=people.north_manager.pk),
    )
    strategy_services.objective_update(objective=north_goal, supports=[group_goal])
    strategy_services.objective_update(objective=north_goal, weight=Decimal("2"))

    page = client.get(url("item_history", org.north, "objective", north_goal.pk)).content.decode()

    assert "Owner: — → north_manager" in page
    assert "Supports: — → Grow group revenue" in page
    assert "Weight: 1.0000 → 2" in page


def test_it_undoes_the_edit_of_a_kpi_and_archives_and_restores_one(client, org, people, north_goal):
    kpi = kpi_services.kpi_create(objective=north_goal, name="Revenue", unit="USD")
    kpi_services.target_set(kpi=kpi, period=core.period_for_key("FY2026-Q1"), value=5)
    client.force_login(people.north_manager)

    client.post(url("kpi_edit", org.north, kpi.pk), kpi_form(name="Net revenue", unit="EUR"))
    kpi.refresh_from_db()
    assert (kpi.name, kpi.unit, kpi.indicator_type) == ("Net revenue", "EUR", "leading")
    client.post(url("editor_undo", org.north))
    kpi.refresh_from_db()
    assert (kpi.name, kpi.unit, kpi.indicator_type) == ("Revenue", "USD", "lagging")

    page = client.get(url("editor", org.north)).content.decode()
    # It has a target, so the editor offers archiving, not deleting.
    assert url("kpi_archive", org.north, kpi.pk) in page
    assert url("kpi_delete", org.north, kpi.pk) not in page
    client.post(url("kpi_archive", org.north, kpi.pk))
    kpi.refresh_from_db()
    assert kpi.archived_at is not None
    client.post(url("editor_undo", org.north))
    kpi.refresh_from_db()
    assert kpi.archived_at is None


def test_it_links_managers_but_not_readers_to_the_editor_from_the_scorecard_page(
    client, org, people
):
    scorecard_page = reverse("scorecard:scorecard", args=[org.north.slug])
    client.force_login(people.north_manager)
    assert url("editor", org.north) in client.get(scorecard_page).content.decode()

    client.force_login(people.executive)
    assert url("editor", org.north) not in client.get(scorecard_page).content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "grow NORTH revenue"}, "title", TITLE_TAKEN),
        ({"weight": "-1"}, "weight", WEIGHT_NEGATIVE),
        ({"weight": "heavy"}, "weight", WEIGHT_NOT_A_NUMBER),
    ],
)
def test_it_puts_the_message_beside_its_field_and_gives_back_what_was_typed(
    client, org, people, north_goal, financial, overrides, field, message
):
    client.force_login(people.north_manager)
    typed = objective_form(financial, description="Won from the old plan", **overrides)

    html = client.post(
        url("objective_add", org.north), typed, headers={"HX-Request": "true"}
    ).content.decode()

    errors = f'<ul class="field-errors" id="new-objective-{field}-errors" role="alert">'
    assert f"{errors}<li>{escape(message)}</li></ul>" in html
    assert ">Won from the old plan</textarea>" in html
    assert f'value="{escape(typed[field])}"' in html


def test_it_opens_the_refused_kpi_form_with_its_message(client, org, people, north_goal):
    kpi = kpi_services.kpi_create(objective=north_goal, name="Orders", unit="%")
    client.force_login(people.north_manager)

    html = client.post(
        url("kpi_edit", org.north, kpi.pk), kpi_form(name="", unit="units"),
        headers={"HX-Request": "true"},
    ).content.decode()  # fmt: skip

    assert f'id="kpi-{kpi.pk}-name-errors"' in html
    assert f'<input id="kpi-{kpi.pk}-unit" name="unit" value="units"' in html
    assert KPI.objects.get(pk=kpi.pk).unit == "%"


def test_it_adds_an_ordinal_kpi_with_its_levels(client, org, people, north_goal):
    client.force_login(people.north_manager)

    client.post(
        url("kpi_add", org.north, north_goal.pk),
        kpi_form(target_type="ordinal", levels="BBB | A | AA | AAA"),
    )

    kpi = KPI.objects.get(objective=north_goal)
    assert (kpi.target_type, kpi.levels, kpi.time_aggregation) == (
        "ordinal",
        ["BBB", "A", "AA", "AAA"],
        "last",
    )


def test_it_refuses_levels_that_repeat_beside_the_field(client, org, people, north_goal):
    client.force_login(people.north_manager)

    response = client.post(
        url("kpi_add", org.north, north_goal.pk),
        kpi_form(target_type="ordinal", levels="A | A"),
    )

    assert "Each level may appear only once." in response.content.decode()
    assert not KPI.objects.filter(objective=north_goal).exists()


def test_a_kpi_given_only_a_direction_in_the_editor_gets_at_most(client, org, people, north_goal):
    client.force_login(people.north_manager)

    client.post(url("kpi_add", org.north, north_goal.pk), kpi_form(direction="down"))

    assert KPI.objects.get(objective=north_goal).target_type == "at_most"


def test_it_says_where_green_amber_and_red_lie_beside_the_target_type(
    client, org, people, north_goal
):
    band = kpi_services.kpi_create(
        objective=north_goal, name="Budget adherence", target_type="band"
    )
    client.force_login(people.north_manager)

    html = client.get(url("editor", org.north)).content.decode()

    zones = re.search(rf'<p [^>]*id="kpi-{band.pk}-target-zones"[^>]*>(.*?)</p>', html, re.S)
    assert zones, "no zones beside the band KPI's target type"
    assert zones.group(1).startswith("Green inside the band, from its low to its high edge;")
    # The new KPI's form, with no type chosen yet, says what the direction decides.
    new = re.search(rf'<p [^>]*id="new-kpi-{north_goal.pk}-target-zones"[^>]*>(.*?)</p>', html)
    assert new and new.group(1) == (
        "At least the target when the direction is up, at most when it is down."
    )
    # Each option carries its own sentence for the page's script.
    assert 'data-zones="Measured, never scored: no target, no status colour' in html
