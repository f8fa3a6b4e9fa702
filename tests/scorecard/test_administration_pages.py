"""The settings pages (issue 17 part 6): units, people and roles, perspectives and the
organization settings, for administrators, through the services the API calls.

Personas are those of tests/conftest.py (the Acme tree); `inactive_admin` is a deactivated
superuser. Every page and every write is tried as every persona: the administrator
succeeds, everyone else gets 403 (the anonymous visitor is sent to sign in) and nothing
changes. Bad input is answered on the page, beside its field, and saves nothing.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from scorecard import services as core
from scorecard.models import Membership, OrganizationSettings, OrgUnit, Perspective
from strategy import services as strategy_services
from strategy.handlers import MOVE_WITH_OBJECTIVES
from tests.factories import UserFactory

NON_ADMINISTRATORS = [
    "manager",
    "north_manager",
    "owner",
    "south_team_manager",
    "executive",
    "outsider",
    "inactive_admin",
]
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def persona(org, people):
    def named(name: str):
        if name == "inactive_admin":
            return UserFactory(
                username="inactive_admin", is_superuser=True, is_staff=True, is_active=False
            )
        return getattr(people, name)

    return named


@pytest.fixture
def admin_client(client, people):
    client.force_login(people.admin)
    return client


def pages(org, people) -> dict[str, str]:
    first = Perspective.objects.order_by("order").first()
    return {
        "index": reverse("scorecard:settings"),
        "units": reverse("scorecard:settings_units"),
        "unit": reverse("scorecard:settings_unit", args=[org.north.slug]),
        "people": reverse("scorecard:settings_people"),
        "person": reverse("scorecard:person_roles", args=[people.owner.pk]),
        "perspectives": reverse("scorecard:perspective_list"),
        "organization": reverse("scorecard:organization_settings"),
        "perspective": reverse("scorecard:perspective_settings", args=[first.pk]),
    }


def writes(org, people) -> list[tuple[str, dict]]:
    """One write of each kind the pages offer, each of which an administrator may make."""
    financial = Perspective.objects.get(name="Financial")
    membership = Membership.objects.get(user=people.owner)
    unit = reverse("scorecard:settings_unit", args=[org.north.slug])
    return [
        (reverse("scorecard:settings_units"), {"name": "West", "kind": "division",
                                               "parent": org.acme.pk}),
        (unit, {"form": "rename", "name": "Northern", "kind": "division"}),
        (unit, {"form": "move", "parent": org.south.pk}),
        (unit, {"form": "role", "user": people.outsider.pk, "role": "viewer"}),
        (reverse("scorecard:membership_revoke", args=[membership.pk]), {"back": "unit"}),
        (reverse("scorecard:settings_people"), {"name": "Ada Lovelace",
                                                "email": "ada@example.com"}),
        (reverse("scorecard:person_roles", args=[people.outsider.pk]),
         {"org_unit": org.south.pk, "role": "owner"}),
        (reverse("scorecard:perspective_list"), {"new-name": "Sustainability",
                                                 "new-color": "#15803d"}),
        (reverse("scorecard:perspective_settings", args=[financial.pk]),
         {f"p{financial.pk}-name": "Money", f"p{financial.pk}-color": "#000000"}),
        (reverse("scorecard:perspective_archive", args=[financial.pk]), {"archived": "1"}),
        (reverse("scorecard:perspective_move", args=[financial.pk]), {"direction": "down"}),
        (reverse("scorecard:organization_settings"), settings_body(grace_days=3)),
    ]  # fmt: skip


def settings_body(**changes) -> dict:
    body = {
        "fiscal_start_month": "1",
        "reminder_lead_days": "7",
        "grace_days": "10",
        "red_needs_comment": "on",
        "red_drafts_action": "on",
        "extra_action_verbs": "",
        "unit_kinds": "enterprise\ndivision\ndepartment\nteam",
    }
    body.update({name: str(value) for name, value in changes.items()})
    return body


def state() -> tuple:
    """Everything the settings pages may change, as stored."""
    people = (
        get_user_model()
        .objects.order_by("pk")
        .values_list("pk", "username", "email", "first_name", "last_name", "is_active")
    )
    return (
        list(OrgUnit.objects.order_by("pk").values_list("pk", "name", "kind", "slug", "path")),
        list(Membership.objects.order_by("pk").values_list("pk", "user_id", "org_unit_id", "role")),
        list(Perspective.objects.order_by("pk").values_list(
            "pk", "name", "order", "color", "description", "archived_at")),
        list(people),
        list(OrganizationSettings.objects.values()),
    )  # fmt: skip


# Permissions ------------------------------------------------------------------------------


def test_it_shows_every_page_to_the_administrator(admin_client, org, people):
    for name, url in pages(org, people).items():
        if name == "perspective":
            continue  # POST only
        response = admin_client.get(url)
        assert response.status_code == 200, name


@pytest.mark.parametrize("name", NON_ADMINISTRATORS)
def test_it_refuses_every_page_to_every_other_persona(client, org, people, persona, name):
    client.force_login(persona(name))
    for page, url in pages(org, people).items():
        method = client.post if page == "perspective" else client.get
        response = method(url)
        # A deactivated account's session is no session: it is sent to sign in.
        expected = 302 if name == "inactive_admin" else 403
        assert response.status_code == expected, page


def test_it_sends_an_anonymous_visitor_to_sign_in(client, org, people):
    for url in pages(org, people).values():
        response = client.get(url)
        assert response.status_code in (302, 405)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", NON_ADMINISTRATORS)
def test_a_refused_write_changes_nothing(
    client, org, people, persona, name, django_capture_on_commit_callbacks
):
    user = persona(name)
    client.force_login(user)
    before = state()
    for url, body in writes(org, people):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, body)
        assert response.status_code in (302, 403), url
        if name != "inactive_admin":
            assert response.status_code == 403, url
    assert state() == before
    assert mail.outbox == []


def test_the_administrator_makes_every_write(admin_client, org, people):
    before = state()
    for url, body in writes(org, people):
        response = admin_client.post(url, body)
        assert response.status_code == 302, (url, response.content.decode()[:2000])
    assert state() != before
    assert OrgUnit.objects.filter(name="West").exists()
    assert OrgUnit.objects.get(pk=org.north.pk).name == "Northern"
    assert OrganizationSettings.load().grace_days == 3


# Units ------------------------------------------------------------------------------------


def test_it_shows_the_tree_and_adds_a_unit_last_under_its_parent(admin_client, org):
    page = admin_client.get(reverse("scorecard:settings_units")).content.decode()
    for name in ("Acme", "North", "North Sales", "South", "South Ops"):
        assert name in page

    response = admin_client.post(
        reverse("scorecard:settings_units"),
        {"name": "North Marketing", "kind": "team", "parent": org.north.pk},
    )

    unit = OrgUnit.objects.get(name="North Marketing")
    assert response["Location"] == reverse("scorecard:settings_unit", args=[unit.slug])
    assert OrgUnit.objects.get_parent(unit) == org.north


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": "", "kind": "team"}, "name", "This field is required."),
        ({"name": "Second top", "kind": "team"}, "parent", core.SECOND_ROOT),
        ({"name": "X", "kind": "castle"}, "kind", "Select a valid choice."),
        ({"name": "X\x00", "kind": "team"}, "name", "Null characters are not allowed."),
        ({"name": "x" * 201, "kind": "team"}, "name", "at most 200 characters"),
        ({"name": "\u202eevil", "kind": "team"}, "name", ""),
        ({"name": "X", "kind": "team", "parent": "999999"}, "parent", "Select a valid choice."),
        ({"name": "X", "kind": "team", "parent": "abc"}, "parent", "Select a valid choice."),
    ],
)
def test_it_refuses_a_bad_new_unit_beside_its_field(admin_client, org, body, field, message):
    before = state()

    response = admin_client.post(reverse("scorecard:settings_units"), body)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert state() == before


def test_it_renames_and_moves_a_unit_without_objectives(admin_client, org):
    url = reverse("scorecard:settings_unit", args=[org.south_ops.slug])

    admin_client.post(url, {"form": "rename", "name": "South Operations", "kind": "team"})
    admin_client.post(url, {"form": "move", "parent": org.north.pk})

    moved = OrgUnit.objects.get(pk=org.south_ops.pk)
    assert moved.name == "South Operations"
    assert OrgUnit.objects.get_parent(moved) == org.north


def test_it_explains_a_refused_move_beside_the_field(admin_client, org, people, financial):
    strategy_services.objective_create(
        scorecard=org.north_sales.scorecard, perspective=financial, title="Grow sales"
    )
    before = state()
    url = reverse("scorecard:settings_unit", args=[org.north.slug])

    response = admin_client.post(url, {"form": "move", "parent": org.south.pk})

    assert response.status_code == 200
    assert response.context["forms"]["move"].errors["parent"] == [MOVE_WITH_OBJECTIVES]
    assert MOVE_WITH_OBJECTIVES in response.content.decode()
    assert state() == before


def test_it_does_not_offer_a_move_under_the_unit_itself(admin_client, org):
    url = reverse("scorecard:settings_unit", args=[org.north.slug])
    before = state()

    response = admin_client.post(url, {"form": "move", "parent": org.north_sales.pk})

    assert "parent" in response.context["forms"]["move"].errors
    choices = response.context["forms"]["move"].fields["parent"].queryset
    assert set(choices) == {org.acme, org.south, org.south_ops}
    assert state() == before


@pytest.mark.parametrize(
    ("body", "form", "field", "message"),
    [
        ({"form": "rename", "name": "", "kind": "team"}, "rename", "name", "required"),
        ({"form": "rename", "name": "North", "kind": "castle"}, "rename", "kind", "valid choice"),
        ({"form": "rename", "name": "\u200b", "kind": "team"}, "rename", "name", ""),
        ({"form": "move", "parent": "abc"}, "move", "parent", "valid choice"),
        ({"form": "role", "user": "999999", "role": "owner"}, "role", "user", "valid choice"),
        ({"form": "role", "user": "1", "role": "king"}, "role", "role", "valid choice"),
    ],
)
def test_it_refuses_bad_input_on_the_unit_page_beside_its_field(
    admin_client, org, body, form, field, message
):
    before = state()

    response = admin_client.post(reverse("scorecard:settings_unit", args=[org.north.slug]), body)

    assert response.status_code == 200
    errors = response.context["forms"][form].errors
    assert message in " ".join(errors[field])
    assert 'role="alert"' in response.content.decode()
    assert state() == before


@pytest.mark.parametrize("name", NON_ADMINISTRATORS[:-1])
def test_an_htmx_move_is_refused_too(client, persona, name):
    client.force_login(persona(name))
    financial = Perspective.objects.get(name="Financial")
    before = state()

    response = client.post(
        reverse("scorecard:perspective_move", args=[financial.pk]), {"direction": "up"}, **HTMX
    )

    assert response.status_code == 403
    assert state() == before


def test_the_top_unit_has_no_move_form(admin_client, org):
    page = admin_client.get(reverse("scorecard:settings_unit", args=[org.acme.slug]))

    assert 'id="unit-move"' not in page.content.decode()
    assert "The top unit stays at the top" in page.content.decode()


def test_it_gives_and_takes_away_a_role_on_a_unit(admin_client, org, people):
    url = reverse("scorecard:settings_unit", args=[org.south.slug])

    admin_client.post(url, {"form": "role", "user": people.outsider.pk, "role": "manager"})

    membership = Membership.objects.get(user=people.outsider)
    assert (membership.org_unit, membership.role) == (org.south, "manager")
    page = admin_client.get(url).content.decode()
    assert people.outsider.get_full_name() in page

    response = admin_client.post(
        reverse("scorecard:membership_revoke", args=[membership.pk]), {"back": "unit"}
    )

    assert response["Location"] == url
    assert not Membership.objects.filter(user=people.outsider).exists()


def test_an_unknown_unit_or_role_answers_404(admin_client):
    assert admin_client.get(reverse("scorecard:settings_unit", args=["nowhere"])).status_code == 404
    revoke = reverse("scorecard:membership_revoke", args=[999_999])
    assert admin_client.post(revoke).status_code == 404


def test_an_unknown_form_on_the_unit_page_changes_nothing(admin_client, org):
    before = state()
    url = reverse("scorecard:settings_unit", args=[org.north.slug])

    response = admin_client.post(url, {"form": "\x00", "name": "Hacked"})

    assert response.status_code == 200
    assert state() == before


# People -----------------------------------------------------------------------------------


def test_it_lists_people_by_full_name_with_their_roles(admin_client, people):
    page = admin_client.get(reverse("scorecard:settings_people")).content.decode()

    assert people.owner.get_full_name() in page
    assert "Owner of North Sales" in page
    assert "Manager of Acme" in page


def test_it_invites_a_person_who_is_mailed_the_link(
    admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("scorecard:settings_people"),
            {"name": "Ada Lovelace", "email": "ada@example.com"},
        )

    person = get_user_model().objects.get(email="ada@example.com")
    assert (person.first_name, person.last_name, person.username) == ("Ada", "Lovelace", "ada")
    assert not person.has_usable_password()
    assert response["Location"] == reverse("scorecard:person_roles", args=[person.pk])
    [message] = mail.outbox
    assert message.to == ["ada@example.com"]
    assert "/accounts/reset/" in message.body


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": "Ada", "email": "not an address"}, "email", "Enter a valid email address."),
        ({"name": "", "email": "ada@example.com"}, "name", "This field is required."),
        ({"name": "Ada", "email": ""}, "email", "This field is required."),
        ({"name": "Ada\x00", "email": "ada@example.com"}, "name", "Null characters"),
    ],
)
def test_it_refuses_a_bad_invitation_beside_its_field(
    admin_client, body, field, message, django_capture_on_commit_callbacks
):
    before = state()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("scorecard:settings_people"), body)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert state() == before
    assert mail.outbox == []


def test_it_refuses_an_address_someone_has(admin_client, people):
    people.owner.email = "priya@example.com"
    people.owner.save()
    before = state()

    response = admin_client.post(
        reverse("scorecard:settings_people"), {"name": "Priya Two", "email": "PRIYA@example.com"}
    )

    assert response.context["form"].errors["email"] == [core.EMAIL_TAKEN]
    assert state() == before
    assert mail.outbox == []


def test_it_gives_and_takes_away_a_person_s_roles(admin_client, org, people):
    url = reverse("scorecard:person_roles", args=[people.outsider.pk])

    admin_client.post(url, {"org_unit": org.north_sales.pk, "role": "owner"})
    admin_client.post(url, {"org_unit": org.north_sales.pk, "role": "owner"})  # once only

    [membership] = Membership.objects.filter(user=people.outsider)
    assert (membership.org_unit, membership.role) == (org.north_sales, "owner")
    assert "North Sales" in admin_client.get(url).content.decode()

    response = admin_client.post(
        reverse("scorecard:membership_revoke", args=[membership.pk]), {"back": "person"}
    )

    assert response["Location"] == url
    assert not Membership.objects.filter(user=people.outsider).exists()


@pytest.mark.parametrize("body", [{"org_unit": "999999", "role": "owner"},
                                  {"org_unit": "1", "role": "emperor"}, {}])  # fmt: skip
def test_it_refuses_a_bad_role_beside_its_field(admin_client, people, body):
    before = state()

    response = admin_client.post(reverse("scorecard:person_roles", args=[people.outsider.pk]), body)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert state() == before


# Perspectives -----------------------------------------------------------------------------


def names_top_first() -> list[str]:
    return list(Perspective.objects.order_by("-order").values_list("name", flat=True))


def test_it_adds_renames_recolours_and_archives_a_perspective(admin_client):
    admin_client.post(
        reverse("scorecard:perspective_list"),
        {"new-name": "Sustainability", "new-color": "#15803d", "new-description": "Green."},
    )
    added = Perspective.objects.get(name="Sustainability")
    assert names_top_first()[0] == "Sustainability"
    prefix = f"p{added.pk}"

    admin_client.post(
        reverse("scorecard:perspective_settings", args=[added.pk]),
        {f"{prefix}-name": "Planet", f"{prefix}-color": "#0f766e", f"{prefix}-description": ""},
    )
    admin_client.post(reverse("scorecard:perspective_archive", args=[added.pk]), {"archived": "1"})

    added.refresh_from_db()
    assert (added.name, added.color, added.archived) == ("Planet", "#0f766e", True)

    admin_client.post(reverse("scorecard:perspective_archive", args=[added.pk]), {"archived": "0"})

    added.refresh_from_db()
    assert not added.archived


def test_it_moves_a_perspective_up_and_down_without_javascript(admin_client):
    before = names_top_first()
    second = Perspective.objects.get(name=before[1])
    url = reverse("scorecard:perspective_move", args=[second.pk])

    response = admin_client.post(url, {"direction": "up"})

    assert response.status_code == 302
    assert names_top_first() == [before[1], before[0], *before[2:]]

    admin_client.post(url, {"direction": "down"})

    assert names_top_first() == before


def test_it_moves_a_perspective_with_htmx_and_answers_the_list(admin_client):
    before = names_top_first()
    second = Perspective.objects.get(name=before[1])

    response = admin_client.post(
        reverse("scorecard:perspective_move", args=[second.pk]), {"direction": "up"}, **HTMX
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<ol class="settings-perspectives" id="perspective-table">')
    assert "<html" not in body
    assert body.index(before[1]) < body.index(before[0])
    assert names_top_first() == [before[1], before[0], *before[2:]]


@pytest.mark.parametrize("direction", ["up", "down"])
def test_a_move_past_the_end_changes_nothing(admin_client, direction):
    order = names_top_first()
    end = order[0] if direction == "up" else order[-1]
    before = state()

    admin_client.post(
        reverse("scorecard:perspective_move", args=[Perspective.objects.get(name=end).pk]),
        {"direction": direction},
    )

    assert state() == before


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "Customer"}, "name", "already exists"),
        ({"color": "red"}, "color", "Use a colour like #1d4ed8."),
        ({"name": ""}, "name", "This field is required."),
        ({"name": "x" * 101}, "name", "at most 100 characters"),
        ({"name": "\u200b"}, "name", ""),
    ],
)
def test_it_refuses_a_bad_perspective_beside_its_field(admin_client, fields, field, message):
    financial = Perspective.objects.get(name="Financial")
    prefix = f"p{financial.pk}"
    body = {f"{prefix}-name": "Financial", f"{prefix}-color": "#1d4ed8"}
    body.update({f"{prefix}-{name}": value for name, value in fields.items()})
    before = state()

    response = admin_client.post(
        reverse("scorecard:perspective_settings", args=[financial.pk]), body
    )

    assert response.status_code == 200
    [form] = [form for perspective, form in response.context["rows"] if perspective == financial]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert state() == before


def test_it_refuses_a_bad_new_perspective_beside_its_field(admin_client):
    before = state()

    response = admin_client.post(
        reverse("scorecard:perspective_list"), {"new-name": "Financial", "new-color": "#123456"}
    )

    assert "already exists" in " ".join(response.context["new"].errors["name"])
    assert state() == before


# Organization settings --------------------------------------------------------------------


def test_it_shows_and_saves_the_settings(admin_client):
    page = admin_client.get(reverse("scorecard:organization_settings"))
    assert page.context["form"].initial["unit_kinds"] == "enterprise\ndivision\ndepartment\nteam"

    admin_client.post(
        reverse("scorecard:organization_settings"),
        settings_body(
            reminder_lead_days=5,
            unit_kinds="enterprise\ndivision\ndepartment\nteam\nfocus-area",
            extra_action_verbs="Champion",
        ),
    )

    stored = OrganizationSettings.load()
    assert stored.reminder_lead_days == 5
    assert stored.unit_kinds[-1] == "focus-area"
    assert stored.extra_action_verbs == "Champion"
    assert stored.red_needs_comment


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"unit_kinds": "enterprise\ndivision\ndepartment"}, "unit_kinds", "cannot be removed"),
        ({"unit_kinds": "Focus Area"}, "unit_kinds", "short key"),
        ({"unit_kinds": "team\nteam"}, "unit_kinds", "listed twice"),
        ({"unit_kinds": ""}, "unit_kinds", "This field is required."),
        ({"grace_days": "-1"}, "grace_days", "greater than or equal to 0"),
        ({"grace_days": "99999999"}, "grace_days", "less than or equal to"),
        ({"grace_days": "abc"}, "grace_days", "Enter a whole number."),
        ({"fiscal_start_month": "13"}, "fiscal_start_month", "Select a valid choice."),
        ({"extra_action_verbs": "x" * 30_000}, "extra_action_verbs", "at most"),
    ],
)
def test_it_refuses_bad_settings_beside_the_field(admin_client, org, changes, field, message):
    before = state()

    response = admin_client.post(
        reverse("scorecard:organization_settings"), settings_body(**changes)
    )

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert state() == before


def test_it_keeps_the_fiscal_start_month_once_quarters_exist(admin_client):
    core.period_for_key("FY2026-Q1")
    before = state()

    response = admin_client.post(
        reverse("scorecard:organization_settings"), settings_body(fiscal_start_month=7)
    )

    from scorecard.models import FISCAL_START_LOCKED

    assert response.context["form"].errors["fiscal_start_month"] == [FISCAL_START_LOCKED]
    assert state() == before


# Query counts -----------------------------------------------------------------------------

# Each page's queries, the same for ten times the units, people, roles and perspectives.
# Every count starts with 1 the session, 2 the user, and ends with the top bar's bell.
QUERIES = {
    # 3 bell.
    "index": 3,
    # 3 the units with their roles counted, 4 the settings' unit kinds (kind choices),
    # 5 the parent choices, 6 bell.
    "units": 6,
    # 3 the unit, 4 its ancestors, 5 the unit kinds, 6 the parent choices, 7 the roles
    # with their people, 8 the people to choose, 9 bell.
    "unit": 9,
    # 3 the people, 4 their roles with units, 5 bell.
    "people": 5,
    # 3 the person, 4 the roles with units, 5 the units to choose, 6 bell.
    "person": 6,
    # 3 the perspectives, 4 bell.
    "perspectives": 4,
    # 3 the settings, 4 bell.
    "organization": 4,
}


def grow(org, people, times: int = 10) -> None:
    """Ten times as many units, people, roles and perspectives as the small world."""
    for number in range(times * 5):
        unit = core.org_unit_create(name=f"Unit {number}", kind="team", parent=org.north)
        person = UserFactory(username=f"person{number}", first_name="Person", last_name=str(number))
        core.membership_grant(user=person, org_unit=unit, role="owner")
        core.membership_grant(user=person, org_unit=org.north, role="viewer")
        core.membership_grant(user=people.owner, org_unit=unit, role="viewer")
    for number in range(times * 4):
        core.perspective_create(name=f"Perspective {number}")


@pytest.mark.parametrize("size", ["small", "ten times"])
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_a_page_runs_the_same_queries_for_ten_times_the_rows(
    admin_client, org, people, django_assert_max_num_queries, name, size
):
    if size == "ten times":
        grow(org, people)
    url = pages(org, people)[name]

    with django_assert_max_num_queries(QUERIES[name]):
        response = admin_client.get(url)

    assert response.status_code == 200
    if size == "ten times" and name in ("units", "people", "perspectives", "unit", "person"):
        shown = {"units": "Unit 49", "people": "Person 49", "perspectives": "Perspective 39",
                 "unit": "Person 49", "person": "Unit 49"}[name]  # fmt: skip
        assert shown in response.content.decode()
