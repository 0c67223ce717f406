"""django-axes on the admin sign-in: per address and per username, with an
unlock for superusers."""

from django.urls import reverse

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def attempt(client, username, password, address="198.51.100.20"):
    credentials = {"username": username, "password": password}
    return client.post(reverse("wagtailadmin_login"), credentials, REMOTE_ADDR=address)


def test_after_the_limit_even_the_right_password_waits(client, settings):
    editor = UserFactory(is_superuser=True)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, editor.username, "wrong").status_code == 200  # the form, with its error
    assert attempt(client, editor.username, "wrong").status_code == 429
    response = attempt(client, editor.username, PASSWORD)
    assert response.status_code == 429
    assert b"too many unsuccessful sign-in attempts" in response.content
    assert b"15 minutes" in response.content
    assert "_auth_user_id" not in client.session

    # Another person at another address is not affected...
    other = UserFactory(is_superuser=True)
    assert attempt(client, other.username, PASSWORD, address="203.0.113.5").status_code == 302
    # ...but the guessed username stays locked wherever the guesser moves.
    client.logout()
    assert attempt(client, editor.username, PASSWORD, address="192.0.2.77").status_code == 429


def test_a_mistyped_password_now_and_then_is_fine(client):
    editor = UserFactory(is_superuser=True)
    for _ in range(3):
        assert attempt(client, editor.username, "typo").status_code == 200
        assert attempt(client, editor.username, PASSWORD).status_code == 302
        client.logout()


def test_an_address_that_guesses_many_usernames_is_locked_out(client, settings):
    for number in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, f"guess{number}", "wrong", address="203.0.113.99")
    editor = UserFactory(is_superuser=True)
    assert attempt(client, editor.username, PASSWORD, address="203.0.113.99").status_code == 429
    assert attempt(client, editor.username, PASSWORD, address="203.0.113.100").status_code == 302


def test_a_superuser_unlocks_a_locked_out_editor(client, settings):
    editor = UserFactory(is_superuser=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, editor.username, "wrong", address="198.51.100.30")
    assert attempt(client, editor.username, PASSWORD, address="192.0.2.1").status_code == 429

    admin = UserFactory(is_superuser=True)
    client.force_login(admin)
    page = client.get(reverse("sign_in_lockouts"))
    assert page.status_code == 200 and editor.username in page.content.decode()
    listed = page.context["attempts"]
    for row in listed:
        assert client.post(reverse("sign_in_lockouts"), {"attempt": row.pk}).status_code == 302
    assert "Nobody is locked out" in client.get(reverse("sign_in_lockouts")).content.decode()
    client.logout()
    assert attempt(client, editor.username, PASSWORD, address="192.0.2.1").status_code == 302
    # A stale or made-up row is a message, not an error.
    client.force_login(admin)
    assert client.post(reverse("sign_in_lockouts"), {"attempt": "nope"}).status_code == 302


def test_only_those_who_may_unlock_see_the_lockouts(client):
    client.force_login(UserFactory(is_superuser=False, is_staff=True))
    assert client.get(reverse("sign_in_lockouts")).status_code in (302, 403)
