"""Through the real Varnish with the repository's VCL: each reader behind it
has limits of their own, a header a client writes changes nothing, and a
stranger's failed sign-ins lock no editor out. Readers are told apart by
their loopback source addresses (127.0.0.2, 127.0.0.3, ...); Varnish itself
reaches the app from 127.0.0.1, the one trusted proxy."""

from django.urls import reverse

import pytest

from tests.factories import PASSWORD, FranchiseTagFactory, UserFactory, home_page
from tests.support.reader import Reader

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def behind_varnish(settings, varnish):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    home_page()
    return varnish


def test_two_readers_behind_varnish_have_separate_limits(behind_varnish, settings):
    settings.ALERT_FOLLOW_RATE_LIMIT = 2
    franchise = FranchiseTagFactory(name="Ironbound Universe")
    follow = f"{reverse('alerts:follow')}?franchise={franchise.pk}"
    first, second = Reader(behind_varnish, "127.0.0.2"), Reader(behind_varnish, "127.0.0.3")

    # An empty email is refused with 400; past the limit the answer is 429.
    statuses = [first.post_form(follow, {"email": ""}) for _ in range(3)]
    assert statuses == [400, 400, 429]
    assert second.post_form(follow, {"email": ""}) == 400

    # Writing a different X-Forwarded-For each time buys the first reader nothing.
    for number in range(2):
        assert first.post_form(follow, {"email": ""}, {"X-Forwarded-For": f"198.51.100.{number}"}) == 429


def test_a_strangers_failed_sign_ins_lock_no_editor_out(behind_varnish, settings):
    editor = UserFactory(is_superuser=True)
    login = reverse("wagtailadmin_login")
    stranger = Reader(behind_varnish, "127.0.0.4")
    for number in range(settings.AXES_FAILURE_LIMIT + 2):
        stranger.post_form(login, {"username": f"guess{number}", "password": "wrong"})
    assert stranger.post_form(login, {"username": editor.username, "password": PASSWORD}) == 429

    editor_browser = Reader(behind_varnish, "127.0.0.5")
    assert editor_browser.post_form(login, {"username": editor.username, "password": PASSWORD}) == 302
    assert "sessionid" in editor_browser.cookies
