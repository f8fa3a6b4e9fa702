"""Signing in and out, and the throttle on repeated failures."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def person(db):
    return UserFactory(username="ada")


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_it_signs_in_with_the_right_password(client, person):
    response = sign_in(client, "ada", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


def test_it_says_why_a_sign_in_failed(client, person):
    response = sign_in(client, "ada", "wrong")

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_it_pauses_sign_in_after_repeated_failures(client, person):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "ada", "wrong")

    response = sign_in(client, "ada", PASSWORD)

    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_signs_out_with_a_post(client, person):
    client.force_login(person)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
