"""403, 404 and 500 pages inside the layout (issue 17): each says what happened and where
to go; the 500 page renders without a request or the database."""

import pytest
from django.template import loader
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
def test_it_shows_a_refused_page_inside_the_layout(client, org, people):
    client.force_login(people.executive)
    response = client.get(reverse("kpis:editor", args=[org.north_sales.slug]))
    assert response.status_code == 403
    html = response.content.decode()
    assert '<nav class="topnav" id="main-nav" aria-label="Main">' in html
    assert "You may not do this here" in html
    assert "Nothing was changed." in html
    assert 'href="/"' in html


@pytest.mark.django_db
def test_it_shows_a_missing_page_inside_the_layout(client, people):
    client.force_login(people.manager)
    response = client.get("/units/no-such-unit/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<nav class="topnav" id="main-nav" aria-label="Main">' in html
    assert "There is no such page" in html
    assert "/units/no-such-unit/" in html


@pytest.mark.django_db
def test_a_missing_page_for_someone_signed_out_has_no_menu(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "There is no such page" in response.content.decode()
    assert "Sign out" not in response.content.decode()


@pytest.mark.urls("tests.scorecard.error_urls")
@pytest.mark.django_db
def test_a_failing_view_shows_the_500_page(settings, people):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(people.manager)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert 'class="brand"' in html
    assert "RuntimeError" not in html


def test_the_500_page_renders_without_a_request_or_the_database(django_assert_num_queries):
    # No database fixture: any query would fail the test.
    html = loader.get_template("500.html").render()
    assert "Something went wrong on our side" in html
    assert "favicon.svg" in html
