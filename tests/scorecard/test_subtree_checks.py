"""One subtree check for every id a page accepts (issue 14, findings 5, 6, 7, the 5xx of
`/actions/new/` and the owner filters of finding 12), on the demo: Daniel manages Sales
(Field Sales and Customer Success below it) and nothing else; Finance is another division.

An id the person may not see is answered exactly like an unknown one, names nothing it
found, and changes nothing."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from kpis.models import KPI, ScoreSnapshot
from reviews.models import ActionItem, Finding, Initiative
from scorecard.models import OrgUnit
from strategy.models import Objective
from tests.factories import UserFactory

UNKNOWN = 99_999_999
INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices."


def person(username):
    return get_user_model().objects.get(username=username)


def signed_in(username) -> Client:
    client = Client()
    client.force_login(person(username))
    return client


def kpi(key_unit: str, name: str) -> KPI:
    return KPI.objects.select_related("objective__scorecard__org_unit", "owner").get(
        objective__scorecard__org_unit__slug=key_unit, name=name
    )


def normalised(response, *ids) -> str:
    """The page with what legitimately differs between two answers taken out: CSRF tokens,
    and the ids that were sent (the person's own input)."""
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)
    body = re.sub(r"hx-headers=\'[^\']*\'", "", body)
    for value in ids:
        # Django's message for a list of choices repeats the id that was sent.
        body = body.replace(f"Select a valid choice. {value} is", "Select a valid choice. ID is")
    return body


def kpi_post(item: KPI, **overrides) -> dict:
    data = {
        "name": item.name,
        "description": item.description,
        "unit": item.unit,
        "decimals": item.decimals,
        "direction": item.direction,
        "indicator_type": item.indicator_type,
        "owner": item.owner_id or "",
        "owning_team": item.owning_team_id or "",
        "weight": item.weight,
        "tolerance_pct": item.tolerance_pct,
        "source": item.source,
        "rolls_up_to": item.rolls_up_to_id or "",
        "rollup_method": item.rollup_method or "",
        "missing_children": item.missing_children or "",
    }
    return data | overrides


def edit_kpi_url(item: KPI) -> str:
    return reverse("editor:kpi_edit", args=[item.org_unit.slug, item.pk])


# Finding 5: a division manager wrote outside his subtree through the editor.


def test_it_refuses_a_roll_up_parent_the_manager_cannot_read_like_an_unknown_one(demo):
    daniel = signed_in("daniel")
    deal_size = kpi("sales", "Average deal size")
    group_revenue = kpi("northwind-group", "Revenue")
    snapshots_before = list(ScoreSnapshot.objects.filter(subject_type="kpi").values())

    foreign = daniel.post(
        edit_kpi_url(deal_size), kpi_post(deal_size, rolls_up_to=group_revenue.pk)
    )
    unknown = daniel.post(edit_kpi_url(deal_size), kpi_post(deal_size, rolls_up_to=UNKNOWN))

    assert foreign.status_code == unknown.status_code == 400
    assert INVALID_CHOICE in foreign.content.decode()
    assert normalised(foreign, group_revenue.pk) == normalised(unknown, UNKNOWN)
    deal_size.refresh_from_db()
    assert deal_size.rolls_up_to_id is None
    assert list(ScoreSnapshot.objects.filter(subject_type="kpi").values()) == snapshots_before


def test_the_editor_offers_only_roll_up_parents_the_manager_may_read(demo):
    page = signed_in("daniel").get(reverse("editor:editor", args=["sales"])).content.decode()

    assert "Northwind Group: Revenue" not in page
    # Sales revenue keeps the parent the cascade gave it, shown by its unit only.
    assert "Northwind Group: as it is now" in page


def test_a_kpi_keeps_the_parent_above_that_the_manager_cannot_read(demo):
    daniel = signed_in("daniel")
    sales_revenue = kpi("sales", "Revenue")
    parent = sales_revenue.rolls_up_to
    assert parent.org_unit.slug == "northwind-group"

    response = daniel.post(
        edit_kpi_url(sales_revenue), kpi_post(sales_revenue, name="Sales revenue")
    )

    assert response.status_code == 302
    sales_revenue.refresh_from_db()
    assert (sales_revenue.name, sales_revenue.rolls_up_to) == ("Sales revenue", parent)


def test_it_still_rolls_up_to_a_parent_in_the_subtree(demo):
    daniel = signed_in("daniel")
    field_kpi = kpi("field-sales", "Average new-deal size")
    sales_revenue = kpi("sales", "Revenue")

    response = daniel.post(
        edit_kpi_url(field_kpi), kpi_post(field_kpi, rolls_up_to=sales_revenue.pk)
    )

    assert response.status_code == 302
    field_kpi.refresh_from_db()
    assert field_kpi.rolls_up_to == sales_revenue


# Finding 6 and the 5xx: /actions/new/ checks every subject it is given.


def foreign_subjects() -> dict:
    """One of each kind of subject outside Sales, which Daniel may not see."""
    sales = OrgUnit.objects.get(slug="sales").path
    return {
        "kpi": KPI.objects.exclude(objective__scorecard__org_unit__path__startswith=sales)
        .filter(objective__scorecard__org_unit__slug="finance")
        .select_related("owner")
        .first(),
        "objective": Objective.objects.filter(scorecard__org_unit__slug="finance").first(),
        "finding": Finding.objects.exclude(
            review__scorecard__org_unit__path__startswith=sales
        ).first(),
        "initiative": Initiative.objects.exclude(
            scorecard__org_unit__path__startswith=sales
        ).first(),
        "unit": OrgUnit.objects.get(slug="finance"),
    }


def own_objective() -> Objective:
    return Objective.objects.filter(scorecard__org_unit__slug="sales").first()


def query_value(name, item):
    return item.slug if name == "unit" else item.pk


def words_of(item) -> list[str]:
    """What a page must not show of a hidden item: its title and its owner."""
    words = [str(item)]
    for attribute in ("headline", "name", "title"):
        if getattr(item, attribute, None):
            words.append(getattr(item, attribute))
    owner = getattr(item, "owner", None)
    if owner is not None:
        words.append(owner.get_full_name())
    return words


@pytest.mark.parametrize("name", ["kpi", "objective", "finding", "initiative", "unit"])
def test_a_hidden_subject_next_to_a_visible_one_answers_like_an_unknown_one(demo, name):
    daniel = signed_in("daniel")
    foreign = foreign_subjects()[name]
    assert foreign is not None, name
    # The visible one comes last: it used to decide alone.
    mine = f"objective={own_objective().pk}" if name != "objective" else "unit=sales"
    unknown_value = "no-such-unit" if name == "unit" else UNKNOWN

    hidden = daniel.get(f"/actions/new/?{name}={query_value(name, foreign)}&{mine}")
    unknown = daniel.get(f"/actions/new/?{name}={unknown_value}&{mine}")

    assert hidden.status_code == unknown.status_code == 404
    assert normalised(hidden, query_value(name, foreign)) == normalised(unknown, unknown_value)
    for word in words_of(foreign):
        assert word not in hidden.content.decode()


def test_the_reported_kpi_and_objective_pair_shows_nothing(demo):
    daniel = signed_in("daniel")
    foreign_kpi = foreign_subjects()["kpi"]

    response = daniel.get(f"/actions/new/?kpi={foreign_kpi.pk}&objective={own_objective().pk}")

    assert response.status_code == 404
    for word in words_of(foreign_kpi):
        assert word not in response.content.decode()


def test_visible_subjects_still_open_the_form(demo):
    daniel = signed_in("daniel")
    own_kpi = kpi("sales", "Average deal size")

    response = daniel.get(f"/actions/new/?kpi={own_kpi.pk}&unit=sales")

    assert response.status_code == 200
    assert "Average deal size" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "kpi=abc",
        "finding=abc",
        "objective=1.5",
        "initiative=%00",
        "unit=%00",
        "kpi=%00",
        f"kpi={2**70}",
        "objective=-3",
        "unit=" + "x" * 300,
        "kpi=١٢",
    ],
)
def test_a_malformed_subject_answers_404_before_any_lookup(demo, query):
    response = signed_in("daniel").get(f"/actions/new/?{query}")

    assert response.status_code == 404


# Finding 7: editor forms stored and echoed what an id found elsewhere.


def test_an_owning_team_from_another_division_is_refused_and_not_stored(demo):
    daniel = signed_in("daniel")
    objective = own_objective()
    finance = OrgUnit.objects.get(slug="finance")
    data = {
        "perspective": objective.perspective_id,
        "title": objective.title,
        "description": objective.description,
        "owner": objective.owner_id or "",
        "weight": objective.weight,
    }
    url = reverse("editor:objective_edit", args=["sales", objective.pk])

    foreign = daniel.post(url, data | {"owning_team": finance.pk})
    unknown = daniel.post(url, data | {"owning_team": UNKNOWN})

    assert foreign.status_code == unknown.status_code == 400
    assert normalised(foreign, finance.pk) == normalised(unknown, UNKNOWN)
    objective.refresh_from_db()
    assert objective.owning_team_id is None


def test_a_cascade_to_a_foreign_objective_names_nothing(demo):
    daniel = signed_in("daniel")
    source = kpi("sales", "Average deal size")
    field_sales = OrgUnit.objects.get(slug="field-sales")
    foreign_objective = foreign_subjects()["objective"]
    url = reverse("editor:kpi_cascade", args=["sales", source.pk])
    data = {"org_units": [field_sales.pk], "rollup_method": "sum"}
    kpis_before = KPI.objects.count()

    foreign = daniel.post(url, data | {f"objective_{field_sales.pk}": foreign_objective.pk})
    unknown = daniel.post(url, data | {f"objective_{field_sales.pk}": UNKNOWN})

    assert foreign.status_code == unknown.status_code == 400
    assert foreign_objective.title not in foreign.content.decode()
    assert normalised(foreign, foreign_objective.pk) == normalised(unknown, UNKNOWN)
    assert KPI.objects.count() == kpis_before


def test_a_cascade_owner_who_may_not_own_there_is_refused_like_an_unknown_one(demo):
    daniel = signed_in("daniel")
    objective = own_objective()
    field_sales = OrgUnit.objects.get(slug="field-sales")
    grace = person("grace")  # manages Manufacturing, in Operations
    url = reverse("editor:objective_cascade", args=["sales", objective.pk])
    data = {"org_units": [field_sales.pk]}
    objectives_before = Objective.objects.count()

    foreign = daniel.post(url, data | {f"owner_{field_sales.pk}": grace.pk})
    unknown = daniel.post(url, data | {f"owner_{field_sales.pk}": UNKNOWN})

    assert foreign.status_code == unknown.status_code == 400
    assert grace.get_full_name() not in foreign.content.decode()
    assert normalised(foreign, grace.pk) == normalised(unknown, UNKNOWN)
    assert Objective.objects.count() == objectives_before


# Finding 12, in part: a filter on a person told an outsider whether a user id exists.

PERSON_FILTERS = [
    "/api/kpis/?owner={id}",
    "/api/objectives/?owner={id}",
    "/api/actions/?owner={id}",
    "/api/memberships/?user={id}",
]


@pytest.mark.parametrize("url", PERSON_FILTERS)
@pytest.mark.parametrize("persona", ["outsider", "owner", "daniel"])
def test_a_filter_on_a_hidden_person_answers_like_one_on_an_unknown_id(demo, url, persona):
    requester = UserFactory(username="outsider") if persona == "outsider" else person(persona)
    client = APIClient()
    client.force_authenticate(requester)
    # Grace manages Manufacturing: none of the three may see her.
    grace = person("grace")

    hidden = client.get(url.format(id=grace.pk))
    unknown = client.get(url.format(id=UNKNOWN))

    assert hidden.status_code == unknown.status_code
    assert hidden.content.decode().replace(str(grace.pk), "ID") == unknown.content.decode().replace(
        str(UNKNOWN), "ID"
    )


def test_action_item_count_is_untouched_by_refused_pages(demo):
    # The refusals above create nothing: a guard that the pages are read-only when refused.
    before = ActionItem.objects.count()
    signed_in("daniel").post(
        f"/actions/new/?kpi={foreign_subjects()['kpi'].pk}",
        {"title": "Recover it", "due_date": "2099-01-01"},
    )
    assert ActionItem.objects.count() == before


# The owning team's rule lives in the services, so the admin and every other path keep it.


def test_the_services_refuse_an_owning_team_outside_the_unit(org, people, financial):
    from django.core.exceptions import ValidationError

    from kpis import services as kpi_services
    from strategy import services as strategy_services
    from strategy.services import OWNING_TEAM_OUTSIDE

    expected = {"owning_team": [OWNING_TEAM_OUTSIDE.format(team=org.south, unit=org.north)]}
    with pytest.raises(ValidationError) as refused_objective:
        strategy_services.objective_create(
            scorecard=org.north.scorecard,
            perspective=financial,
            title="Grow",
            owning_team=org.south,
        )
    objective = strategy_services.objective_create(
        scorecard=org.north.scorecard,
        perspective=financial,
        title="Grow",
        owning_team=org.north_sales,
    )
    with pytest.raises(ValidationError) as refused_kpi:
        kpi_services.kpi_create(objective=objective, name="Revenue", owning_team=org.south)
    kpi = kpi_services.kpi_create(objective=objective, name="Revenue")
    with pytest.raises(ValidationError) as refused_change:
        kpi_services.kpi_update(kpi=kpi, owning_team=org.south)

    assert refused_objective.value.message_dict == expected
    assert refused_kpi.value.message_dict == expected
    assert refused_change.value.message_dict == expected
    kpi.refresh_from_db()
    assert kpi.owning_team is None
