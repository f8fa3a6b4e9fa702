"""The API an organization's migration needs (issue 15): targets read back, people invited,
the organization's settings and unit kinds, unit slugs, perspectives written by
administrators, and JSON for a 404 or a 405 under /api/.

    Acme (enterprise)            executive: viewer · manager: manager · admin: superuser
    ├── North (division)         north_manager: manager
    │   └── North Sales (team)   owner: owner (owns the team's KPI)
    └── South (division)
        └── South Ops (team)     south_team_manager: manager
    outsider: signed in, no role anywhere
"""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from rest_framework.test import APIClient

from kpis import services as kpi_services
from scorecard import services as core
from scorecard.api_support import REFUSED
from scorecard.models import (
    FISCAL_START_LOCKED,
    KIND_IN_USE,
    KIND_NOT_A_KEY,
    KIND_TWICE,
    UNKNOWN_KIND,
    OrganizationSettings,
    OrgUnit,
    Perspective,
)
from scorecard.services import EMAIL_TAKEN
from strategy import services as strategy_services
from strategy.models import PERSPECTIVE_ARCHIVED

NOT_ADMINISTRATORS = ["manager", "north_manager", "owner", "south_team_manager", "executive",
                      "outsider"]  # fmt: skip
PASSWORD = "a long enough passphrase 2026"


def client_of(people, persona: str) -> APIClient:
    client = APIClient()
    client.force_login(getattr(people, persona))
    return client


def perspectives_state() -> list[tuple]:
    return list(
        Perspective.objects.order_by("pk").values_list(
            "pk", "name", "order", "color", "description", "archived_at"
        )
    )


def people_state() -> list[tuple]:
    return list(get_user_model().objects.order_by("pk").values_list("pk", "username", "email"))


def settings_state() -> dict:
    return OrganizationSettings.objects.filter(pk=1).values().first() or {}


# Targets read back ---------------------------------------------------------------------------


@pytest.fixture
def targets(org, people, financial, north_sales_kpi):
    """North Sales' KPI has 100 for FY2026-Q1 (the fixture's); a band for Q2; South Ops a KPI
    with a target the north manager may not see."""
    q2 = core.period_for_key("FY2026-Q2")
    kpi_services.target_set(kpi=north_sales_kpi, period=q2, value=Decimal("120"),
                            red_flag=Decimal("110"))  # fmt: skip
    objective = strategy_services.objective_create(
        scorecard=org.south_ops.scorecard, perspective=financial, title="Speed up delivery"
    )
    south = kpi_services.kpi_create(objective=objective, name="Delivery days", unit="days")
    kpi_services.target_set(kpi=south, period=q2, value=Decimal("5"))
    return north_sales_kpi, south


def test_it_reads_targets_back_by_kpi_and_period(people, targets):
    north_sales, _ = targets
    client = client_of(people, "north_manager")

    response = client.get(f"/api/targets/?kpi={north_sales.pk}&period=FY2026-Q2")

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert set(row) == {"id", "kpi", "period", "value", "value_high", "red_flag",
                        "red_flag_high"}  # fmt: skip
    assert (row["kpi"], row["period"], row["value"], row["red_flag"]) == (
        north_sales.pk, "FY2026-Q2", "120.000000", "110.000000"
    )  # fmt: skip
    assert (row["value_high"], row["red_flag_high"]) == (None, None)


def test_it_lists_only_the_targets_of_units_the_caller_sees(people, targets):
    north_sales, south = targets

    north_rows = client_of(people, "north_manager").get("/api/targets/").json()["results"]
    admin_rows = client_of(people, "admin").get("/api/targets/").json()["results"]
    outsider_rows = client_of(people, "outsider").get("/api/targets/").json()["results"]

    assert [(row["kpi"], row["period"]) for row in north_rows] == [
        (north_sales.pk, "FY2026-Q1"), (north_sales.pk, "FY2026-Q2"),
    ]  # fmt: skip
    assert {row["kpi"] for row in admin_rows} == {north_sales.pk, south.pk}
    assert outsider_rows == []


def test_it_answers_a_target_filter_on_a_hidden_kpi_like_an_unknown_one(people, targets):
    _, south = targets
    client = client_of(people, "north_manager")

    hidden = client.get(f"/api/targets/?kpi={south.pk}")
    unknown = client.get("/api/targets/?kpi=99999999")

    assert hidden.status_code == 400
    assert (hidden.status_code, hidden.json()) == (unknown.status_code, unknown.json())
    south_target = south.targets.get()
    assert client.get(f"/api/targets/{south_target.pk}/").status_code == 404


def test_it_refuses_a_malformed_period_filter_on_targets(people, targets):
    response = client_of(people, "admin").get("/api/targets/?period=FY2026-Q9")

    assert response.status_code == 400
    assert set(response.json()) == {"period"}


# People ------------------------------------------------------------------------------------


def test_an_administrator_invites_a_person_who_sets_a_password_by_the_mailed_link(
    people, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://sightline.city.example"
    client = client_of(people, "admin")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/users/", {"name": "Ada  Lovelace", "email": "Ada@City.example"}, format="json"
        )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body == {"id": body["id"], "username": "ada", "name": "Ada Lovelace",
                    "email": "Ada@city.example"}  # fmt: skip
    ada = get_user_model().objects.get(pk=body["id"])
    assert not ada.has_usable_password()
    [message] = mail.outbox
    assert message.to == ["Ada@city.example"]
    link = re.search(r"https://sightline\.city\.example(/accounts/reset/\S+/)", message.body)
    assert link, message.body
    # The link opens the form (Django redirects to a URL without the token), which sets it.
    anonymous = APIClient()
    form = anonymous.get(link.group(1), follow=True)
    assert form.status_code == 200
    assert form.context["validlink"]
    done = anonymous.post(
        form.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert done.status_code == 302
    ada.refresh_from_db()
    assert ada.check_password(PASSWORD)
    # It works once.
    assert not anonymous.get(link.group(1), follow=True).context["validlink"]


def test_an_invited_person_keeps_a_given_username_and_a_taken_one_gets_a_number(people):
    client = client_of(people, "admin")

    given = client.post("/api/users/", {"name": "Grace Hopper", "email": "g@x.example",
                                        "username": "ghopper"}, format="json")  # fmt: skip
    derived = client.post("/api/users/", {"name": "Other Owner", "email": "owner@x.example"},
                          format="json")  # fmt: skip

    assert given.json()["username"] == "ghopper"
    assert derived.json()["username"] == "owner-2"  # "owner" is a persona's


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"name": "No Mail"}, {"email"}),
        ({"name": "Bad Mail", "email": "not an address"}, {"email"}),
        ({"email": "nameless@x.example"}, {"name"}),
        ({"name": "Taken", "email": "OWNER@example.com"}, {"email"}),
        ({"name": "Taken", "email": "t@x.example", "username": "owner"}, {"username"}),
        ({"name": "Spaces", "email": "s@x.example", "username": "two words"}, {"username"}),
    ],
    ids=["no-email", "bad-email", "no-name", "email-taken", "username-taken", "bad-username"],
)
def test_it_refuses_a_bad_invitation_with_field_errors_and_sends_nothing(
    people, body, fields, django_capture_on_commit_callbacks
):
    before = people_state()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(people, "admin").post("/api/users/", body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == fields
    assert people_state() == before
    assert mail.outbox == []


def test_a_taken_email_is_answered_in_words(people):
    response = client_of(people, "admin").post(
        "/api/users/", {"name": "Taken", "email": "owner@example.com"}, format="json"
    )

    assert response.json() == {"email": [EMAIL_TAKEN]}


@pytest.mark.parametrize("persona", NOT_ADMINISTRATORS)
def test_only_administrators_invite_people(people, persona, django_capture_on_commit_callbacks):
    before = people_state()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(people, persona).post(
            "/api/users/", {"name": "Eve Intruder", "email": "eve@x.example"}, format="json"
        )

    assert response.status_code == 403
    assert response.json() == {"detail": REFUSED}
    assert people_state() == before
    assert mail.outbox == []


def test_others_list_the_people_of_the_units_they_see_without_e_mails(people):
    people.owner.first_name, people.owner.last_name = "Olive", "Owner"
    people.owner.save()

    rows = client_of(people, "north_manager").get("/api/users/").json()["results"]

    # North's people: its manager and North Sales' owner; Acme's manager and executive hold
    # roles above North (they may own its items); the administrators may own anything.
    assert [row["username"] for row in rows] == [
        "admin", "executive", "manager", "north_manager", "owner",
    ]  # fmt: skip
    assert all(set(row) == {"id", "username", "name"} for row in rows)
    assert rows[-1]["name"] == "Olive Owner"


def test_an_outsider_lists_only_themselves_and_administrators_everyone_with_e_mails(people):
    outsider_rows = client_of(people, "outsider").get("/api/users/").json()["results"]
    admin_rows = client_of(people, "admin").get("/api/users/?page_size=100").json()["results"]

    assert [row["username"] for row in outsider_rows] == ["outsider"]
    assert len(admin_rows) == get_user_model().objects.filter(is_active=True).count()
    assert all(set(row) == {"id", "username", "name", "email"} for row in admin_rows)


def test_a_person_out_of_sight_answers_404(people):
    client = client_of(people, "north_manager")

    assert client.get(f"/api/users/{people.south_team_manager.pk}/").status_code == 404
    assert client.get(f"/api/users/{people.owner.pk}/").status_code == 200


# Organization settings ---------------------------------------------------------------------


SETTINGS_FIELDS = {"fiscal_start_month", "reminder_lead_days", "grace_days", "red_needs_comment",
                   "red_drafts_action", "extra_action_verbs", "unit_kinds"}  # fmt: skip


def test_an_administrator_reads_and_updates_the_settings(people):
    client = client_of(people, "admin")

    read = client.get("/api/settings/")
    changed = client.patch(
        "/api/settings/",
        {"grace_days": 5, "red_needs_comment": False, "extra_action_verbs": "Champion",
         "unit_kinds": ["enterprise", "division", "department", "team", "bureau", "focus-area"]},
        format="json",
    )  # fmt: skip

    assert read.status_code == 200
    assert set(read.json()) == SETTINGS_FIELDS
    assert read.json()["unit_kinds"] == ["enterprise", "division", "department", "team"]
    assert changed.status_code == 200, changed.json()
    stored = OrganizationSettings.load()
    assert (stored.grace_days, stored.red_needs_comment, stored.extra_action_verbs) == (
        5, False, "Champion"
    )  # fmt: skip
    assert changed.json()["unit_kinds"][-2:] == ["bureau", "focus-area"]


@pytest.mark.parametrize("persona", ["admin", "owner"])
def test_it_answers_options_on_the_settings(people, persona):
    # Found by schemathesis: DRF's OPTIONS answer asks the view for its object.
    response = client_of(people, persona).options("/api/settings/")

    assert response.status_code == 200
    assert response.json()["name"] == "Organization Settings"


@pytest.mark.parametrize("persona", NOT_ADMINISTRATORS)
@pytest.mark.parametrize("method", ["get", "put", "patch"])
def test_only_administrators_read_or_change_the_settings(people, persona, method):
    before = settings_state()

    response = getattr(client_of(people, persona), method)(
        "/api/settings/", {"grace_days": 1}, format="json"
    )

    assert response.status_code == 403
    assert settings_state() == before


def test_the_fiscal_start_month_is_fixed_once_quarters_exist(people, north_sales_kpi):
    response = client_of(people, "admin").patch(
        "/api/settings/", {"fiscal_start_month": 7}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"fiscal_start_month": [FISCAL_START_LOCKED]}
    assert OrganizationSettings.load().fiscal_start_month == 1


@pytest.mark.parametrize(
    ("patch", "errors"),
    [
        ({"grace_days": -1}, {"grace_days"}),
        ({"fiscal_start_month": 13}, {"fiscal_start_month"}),
        ({"unit_kinds": []}, {"unit_kinds"}),
        ({"unit_kinds": "team"}, {"unit_kinds"}),
        ({"red_needs_comment": "perhaps"}, {"red_needs_comment"}),
    ],
    ids=["negative-days", "month-13", "no-kinds", "kinds-not-a-list", "not-a-boolean"],
)
def test_it_refuses_bad_settings_with_field_errors(people, patch, errors):
    before = settings_state()

    response = client_of(people, "admin").patch("/api/settings/", patch, format="json")

    assert response.status_code == 400
    assert set(response.json()) == errors
    assert settings_state() == before


@pytest.mark.parametrize(
    ("kinds", "message"),
    [
        (["enterprise", "division", "team", "department", "Bureau"], KIND_NOT_A_KEY),
        (["enterprise", "division", "team", "department", "team"], KIND_TWICE.format(kind="team")),
        (["enterprise", "division", "department"], KIND_IN_USE.format(kind="team", count=2)),
    ],
    ids=["capitals", "twice", "in-use"],
)
def test_it_refuses_unit_kinds_that_do_not_fit(people, kinds, message):
    before = settings_state()

    response = client_of(people, "admin").patch(
        "/api/settings/", {"unit_kinds": kinds}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"unit_kinds": [message]}
    assert settings_state() == before


# Units: slugs and kinds ----------------------------------------------------------------------


def test_a_unit_shows_its_slug_and_takes_one_from_its_name_unless_given(people, org):
    client = client_of(people, "admin")

    shown = client.get(f"/api/org-units/{org.north_sales.pk}/").json()
    derived = client.post("/api/org-units/", {"name": "North Sales", "kind": "team",
                                              "parent": org.north.pk}, format="json")  # fmt: skip
    given = client.post("/api/org-units/", {"name": "Desk", "kind": "team", "slug": "the-desk",
                                            "parent": org.north.pk}, format="json")  # fmt: skip
    taken = client.post("/api/org-units/", {"name": "Again", "kind": "team", "slug": "the-desk",
                                            "parent": org.north.pk}, format="json")  # fmt: skip

    assert shown["slug"] == org.north_sales.slug
    assert derived.status_code == 201
    assert derived.json()["slug"] == f"{org.north_sales.slug}-2"
    assert given.json()["slug"] == "the-desk"
    assert taken.status_code == 400
    assert set(taken.json()) == {"slug"}


def test_a_unit_kind_must_be_one_of_the_organization_s_and_may_be_a_new_one(people, org):
    client = client_of(people, "admin")
    before = OrgUnit.objects.count()

    refused = client.post("/api/org-units/", {"name": "Parks", "kind": "bureau",
                                              "parent": org.acme.pk}, format="json")  # fmt: skip
    client.patch("/api/settings/", {"unit_kinds": ["enterprise", "division", "department",
                                                   "team", "bureau"]}, format="json")  # fmt: skip
    created = client.post("/api/org-units/", {"name": "Parks", "kind": "bureau",
                                              "parent": org.acme.pk}, format="json")  # fmt: skip

    assert refused.status_code == 400
    kinds = "enterprise, division, department, team"
    assert refused.json() == {"kind": [UNKNOWN_KIND.format(kind="bureau", kinds=kinds)]}
    assert created.status_code == 201, created.json()
    assert OrgUnit.objects.count() == before + 1
    assert OrgUnit.objects.get(pk=created.json()["id"]).get_kind_display() == "Bureau"


def test_a_kind_key_reads_as_words():
    assert OrgUnit(kind="focus-area").get_kind_display() == "Focus area"


# Perspectives ------------------------------------------------------------------------------


def test_an_administrator_adds_renames_recolours_and_archives_perspectives(people):
    client = client_of(people, "admin")

    added = client.post("/api/perspectives/", {"name": "Community", "color": "#0f766e"},
                        format="json")  # fmt: skip
    pk = added.json()["id"]
    renamed = client.patch(
        f"/api/perspectives/{pk}/", {"name": "Community & Place", "color": "#115e59"},
        format="json",
    )  # fmt: skip
    archived = client.patch(f"/api/perspectives/{pk}/", {"archived": True}, format="json")

    assert added.status_code == 201, added.json()
    assert added.json() == {"id": pk, "name": "Community", "order": 5, "color": "#0f766e",
                            "description": "", "archived": False}  # fmt: skip
    assert renamed.json()["name"] == "Community & Place"
    assert renamed.json()["color"] == "#115e59"
    assert archived.json()["archived"] is True
    assert Perspective.objects.get(pk=pk).archived_at is not None


def test_an_archived_perspective_takes_no_new_objective_and_keeps_its_own(
    people, org, customer, north_sales_kpi
):
    held = strategy_services.objective_create(
        scorecard=org.north_sales.scorecard, perspective=customer, title="Keep customers"
    )
    client = client_of(people, "admin")
    client.patch(f"/api/perspectives/{customer.pk}/", {"archived": True}, format="json")

    refused = client.post(
        "/api/objectives/",
        {"scorecard": org.north_sales.scorecard.pk, "perspective": customer.pk,
         "title": "Win new customers"},
        format="json",
    )  # fmt: skip
    kept = client.patch(f"/api/objectives/{held.pk}/", {"title": "Keep more customers"},
                        format="json")  # fmt: skip

    assert refused.status_code == 400
    assert refused.json() == {"perspective": [PERSPECTIVE_ARCHIVED]}
    assert kept.status_code == 200, kept.json()


def test_an_administrator_reorders_every_perspective_in_one_request(people):
    client = client_of(people, "admin")
    ids = list(Perspective.objects.order_by("order").values_list("pk", flat=True))
    wanted = [ids[2], ids[0], ids[3], ids[1]]

    response = client.post("/api/perspectives/reorder/", {"ids": wanted}, format="json")

    assert response.status_code == 200, response.json()
    assert [row["id"] for row in response.json()] == wanted
    assert [row["order"] for row in response.json()] == [1, 2, 3, 4]
    assert list(Perspective.objects.order_by("order").values_list("pk", flat=True)) == wanted


@pytest.mark.parametrize(
    "ids",
    [
        lambda ids: ids[:3],
        lambda ids: [*ids[:3], ids[0]],
        lambda ids: [*ids, 99999999],
        lambda ids: "1,2,3,4",
        lambda ids: [str(pk) + "x" for pk in ids],
    ],
    ids=["one-missing", "one-twice", "unknown-id", "not-a-list", "not-numbers"],
)
def test_it_refuses_a_reorder_that_does_not_list_every_perspective_once(people, ids):
    before = perspectives_state()
    current = list(Perspective.objects.order_by("order").values_list("pk", flat=True))

    response = client_of(people, "admin").post(
        "/api/perspectives/reorder/", {"ids": ids(current)}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"ids"}
    assert perspectives_state() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Learning & Growth"}, "name"),
        ({"name": "Community", "color": "teal"}, "color"),
        ({"name": "Community", "color": "#12345"}, "color"),
        ({"color": "#0f766e"}, "name"),
    ],
    ids=["name-taken", "colour-word", "colour-short", "no-name"],
)
def test_it_refuses_a_bad_perspective_with_a_field_error(people, body, field):
    before = perspectives_state()

    response = client_of(people, "admin").post("/api/perspectives/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert perspectives_state() == before


PERSPECTIVE_WRITES = [
    ("post", lambda pk: "/api/perspectives/", {"name": "Community"}),
    ("patch", lambda pk: f"/api/perspectives/{pk}/", {"name": "Renamed"}),
    ("put", lambda pk: f"/api/perspectives/{pk}/", {"name": "Renamed", "color": "#000000"}),
    ("patch", lambda pk: f"/api/perspectives/{pk}/", {"archived": True}),
    ("post", lambda pk: "/api/perspectives/reorder/", None),
]


@pytest.mark.parametrize("persona", NOT_ADMINISTRATORS)
@pytest.mark.parametrize(("method", "url", "body"), PERSPECTIVE_WRITES,
                         ids=["add", "rename", "replace", "archive", "reorder"])  # fmt: skip
def test_only_administrators_change_perspectives(people, financial, persona, method, url, body):
    before = perspectives_state()
    if body is None:
        body = {"ids": list(Perspective.objects.order_by("-order").values_list("pk", flat=True))}

    response = getattr(client_of(people, persona), method)(url(financial.pk), body, format="json")

    assert response.status_code == 403
    assert perspectives_state() == before


# 404 and 405 answer JSON under /api/ ----------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/nothing-here/", "/api/kpis/1/nothing/", "/api/x"])
def test_an_unknown_api_path_answers_a_json_404(people, path):
    response = client_of(people, "admin").get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_an_unknown_api_path_answers_json_to_anonymous_callers_too(db):
    response = APIClient().get("/api/nothing-here/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_method_the_api_does_not_take_answers_a_json_405(people):
    response = client_of(people, "admin").delete("/api/perspectives/reorder/")

    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}


def test_pages_keep_their_html_404(people):
    response = client_of(people, "admin").get("/units/nothing-here/")

    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")
