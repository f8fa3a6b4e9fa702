"""The top bar (issue 17): each persona sees the links they may use, the current section is
marked, and the bar costs one query whatever the person holds."""

import pytest
from django.urls import reverse

from reviews.templatetags.top_bar import section_of

MAIN_LINKS = [
    "Home",
    "Scorecards",
    "Strategy maps",
    "Dashboard",
    "Reviews",
    "Actions",
    "Initiatives",
]


def nav_of(client, user, url="/"):
    client.force_login(user)
    # follow: an owner's first visit home after signing in lands on My updates.
    html = client.get(url, follow=True).content.decode()
    return html[html.index('<nav class="topnav"') : html.index("</nav>")], html


@pytest.mark.django_db
def test_it_shows_every_main_link_to_every_persona(client, people):
    for user in (people.manager, people.owner, people.executive, people.outsider):
        nav, _ = nav_of(client, user)
        for label in MAIN_LINKS:
            assert f">{label}</a>" in nav, (user.username, label)


@pytest.mark.django_db
def test_it_shows_my_updates_only_to_people_who_own_something(client, people, north_sales_kpi):
    nav, _ = nav_of(client, people.owner)
    assert ">My updates</a>" in nav
    for user in (people.executive, people.manager, people.outsider):
        nav, _ = nav_of(client, user)
        assert "My updates" not in nav, user.username


@pytest.mark.django_db
def test_it_marks_the_current_section(client, people):
    nav, _ = nav_of(client, people.manager, reverse("reviews:actions"))
    assert f'href="{reverse("reviews:actions")}" aria-current="page">Actions</a>' in nav
    assert nav.count('aria-current="page"') == 1
    nav, _ = nav_of(client, people.manager, "/")
    assert 'href="/" aria-current="page">Home</a>' in nav


def test_it_tells_a_units_map_and_initiatives_from_its_scorecard():
    assert section_of("/units/sales/") == "scorecards"
    assert section_of("/units/sales/map/") == "maps"
    assert section_of("/units/sales/initiatives/") == "initiatives"
    assert section_of("/scorecards/") == "scorecards"
    assert section_of("/reviews/3/") == "reviews"
    assert section_of("/nowhere/") == ""


@pytest.mark.django_db
def test_it_offers_settings_to_administrators_and_django_admin_to_staff(client, people):
    _, html = nav_of(client, people.admin)
    assert 'href="/settings/"' in html
    assert f'href="{reverse("admin:index")}"' in html
    for user in (people.manager, people.owner, people.executive):
        _, html = nav_of(client, user)
        assert 'href="/settings/"' not in html
        assert reverse("admin:index") not in html
        assert "Sign out" in html and "API docs" in html


@pytest.mark.django_db
def test_the_unit_indexes_list_the_units_one_may_see(client, org, people):
    slug = org.north_sales.slug
    client.force_login(people.owner)
    for name, linked in (
        ("scorecard:scorecards", reverse("scorecard:scorecard", args=[slug])),
        ("scorecard:maps", reverse("strategy:map", args=[slug])),
        ("scorecard:initiative_index", reverse("reviews:initiatives", args=[slug])),
    ):
        html = client.get(reverse(name)).content.decode()
        assert f'href="{linked}"' in html, name
    client.force_login(people.outsider)
    html = client.get(reverse("scorecard:maps")).content.decode()
    assert slug not in html
    assert "No unit you may see has a scorecard yet." in html


@pytest.mark.django_db
def test_the_bar_costs_one_query_whatever_the_person_holds(people, north_sales_kpi):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reviews.selectors import top_bar_facts

    for user in (people.owner, people.executive):
        with CaptureQueriesContext(connection) as queries:
            top_bar_facts(user)
        assert len(queries) == 1
    assert top_bar_facts(people.owner).owns_something
    assert not top_bar_facts(people.executive).owns_something


@pytest.mark.django_db
def test_it_offers_imports_only_to_those_who_keep_them(client, people):
    """The imports page is for administrators and the managers of a unit: the others are
    not offered a link to a page that would refuse them."""
    imports = f'href="{reverse("connections:import_list")}"'
    for user in (people.admin, people.manager, people.north_manager):
        _, html = nav_of(client, user)
        assert imports in html, user.username
    for user in (people.owner, people.executive, people.outsider):
        _, html = nav_of(client, user)
        assert imports not in html, user.username
        assert client.get(reverse("connections:import_list")).status_code == 403
