"""The admin login stops answering a guesser: per address and per username."""

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


def attempt(client, username, password, address="198.51.100.20"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_after_five_failures_even_the_right_password_waits(client, settings):
    editor = UserFactory(is_superuser=True)
    for _ in range(settings.ADMIN_LOGIN_FAILURE_LIMIT):
        assert attempt(client, editor.username, "wrong").status_code == 200  # the form, with its error
    response = attempt(client, editor.username, PASSWORD)
    assert response.status_code == 429
    assert b"too many unsuccessful sign-in attempts" in response.content
    assert "_auth_user_id" not in client.session

    # Another person at another address is not affected...
    other = UserFactory(is_superuser=True)
    assert attempt(client, other.username, PASSWORD, address="203.0.113.5").status_code == 302
    # ...but the guessed username stays locked wherever the guesser moves.
    client.logout()
    assert attempt(client, editor.username, PASSWORD, address="192.0.2.77").status_code == 429


def test_a_mistyped_password_now_and_then_is_fine(client):
    editor = UserFactory(is_superuser=True)
    assert attempt(client, editor.username, "typo").status_code == 200
    assert attempt(client, editor.username, PASSWORD).status_code == 302
