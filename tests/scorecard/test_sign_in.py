"""Signing in and out, and the throttle on repeated failures."""

import pytest
from django.conf import settings
from django.core.cache import caches
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


# Issue 14, finding 11: many names from one address, one name from many addresses, and the
# client's address behind a trusted proxy.


def sign_in_from(client, address, username, password, **headers):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address,
        **headers,
    )  # fmt: skip


@pytest.fixture
def many_people(db):
    return [UserFactory(username=f"person{number}") for number in range(6)]


def test_it_locks_out_an_address_that_tries_one_password_on_many_names(
    client, settings, person, many_people
):
    settings.SIGHTLINE_SIGN_IN_ADDRESS_FAILURE_LIMIT = 4
    answers = [
        sign_in_from(client, "203.0.113.9", somebody.username, "wrong").status_code
        for somebody in many_people[:4]
    ]
    # Each name failed once only; the fourth failure of the address is its last.
    assert answers == [200, 200, 200, 429]

    refused = sign_in_from(client, "203.0.113.9", "ada", PASSWORD)

    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # The lockout is the address's: Ada signs in from another one.
    assert sign_in_from(client, "198.51.100.4", "ada", PASSWORD).status_code == 302


def test_it_lets_an_address_sign_in_below_its_limit(client, person, many_people):
    for somebody in many_people[:3]:
        sign_in_from(client, "203.0.113.9", somebody.username, "wrong")

    assert sign_in_from(client, "203.0.113.9", "ada", PASSWORD).status_code == 302


def test_it_slows_down_a_name_tried_from_many_addresses_and_never_locks_it(
    client, settings, person
):
    settings.SIGHTLINE_SIGN_IN_USERNAME_RATE = "3/m"
    for number in range(3):
        sign_in_from(client, f"203.0.113.{number}", "ada", "wrong")

    slowed = sign_in_from(client, "198.51.100.4", "ADA", PASSWORD)

    assert slowed.status_code == 429
    seconds = int(slowed["Retry-After"])
    assert 1 <= seconds <= 60
    assert f"try again in {seconds} seconds" in slowed.content.decode()
    assert "_auth_user_id" not in client.session
    # A slowdown, not a lockout: once the window has passed, the right password works.
    caches["default"].clear()
    assert sign_in_from(client, "198.51.100.4", "ada", PASSWORD).status_code == 302


def test_the_admin_sign_in_is_slowed_down_too(client, settings, person):
    settings.SIGHTLINE_SIGN_IN_USERNAME_RATE = "2/m"
    person.is_staff = True
    person.save()
    for number in range(2):
        sign_in_from(client, f"203.0.113.{number}", "ada", "wrong")

    client.post(
        reverse("admin:login"), {"username": "ada", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.4",
    )  # fmt: skip

    assert "_auth_user_id" not in client.session


def test_it_ignores_a_forwarded_address_unless_told_to_trust_the_proxy(
    client, settings, person, many_people
):
    settings.SIGHTLINE_SIGN_IN_ADDRESS_FAILURE_LIMIT = 3
    # A client behind no proxy cannot dodge the address lockout by sending a header.
    for number, somebody in enumerate(many_people[:3]):
        sign_in_from(
            client, "203.0.113.9", somebody.username, "wrong",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        )  # fmt: skip

    assert sign_in_from(client, "203.0.113.9", "ada", PASSWORD).status_code == 429


def test_behind_a_trusted_proxy_each_client_has_its_own_address(
    client, settings, person, many_people
):
    settings.SIGHTLINE_CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.SIGHTLINE_SIGN_IN_ADDRESS_FAILURE_LIMIT = 3
    proxy = "10.0.0.2"
    for somebody in many_people[:3]:
        sign_in_from(
            client, proxy, somebody.username, "wrong",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9",
        )  # fmt: skip

    # The guesser (the right-most address, the one the proxy saw) is locked out; what it
    # wrote to the left of it does not count, and other clients of the proxy sign in.
    guesser = sign_in_from(
        client, proxy, "ada", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.4, 203.0.113.9"
    )
    assert guesser.status_code == 429
    other = sign_in_from(client, proxy, "ada", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert other.status_code == 302
