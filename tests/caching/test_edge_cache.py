"""Varnish in front of the app (caching/varnish.vcl): a story that spikes is
served from it, a correction shows at once after publish, and editors and
form posts always reach the app. Runs the real varnishd (Debian's package;
`make test` installs it) against the live test server."""

from django.conf import settings as django_settings

import pytest

from tests.factories import ArticlePageFactory, SectionPageFactory, UserFactory, home_page
from tests.support.http import fetch

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def story():
    home_page()
    news = SectionPageFactory(title="News", slug="news")
    return ArticlePageFactory(parent=news, title="Night Ledger renewed for season three")


def test_a_correction_is_served_fresh_through_varnish_right_after_publish(varnish, story):
    fetch(varnish + story.url)
    status, headers, body = fetch(varnish + story.url)
    assert (status, headers["X-Edge-Cache"]) == (200, "hit")
    fetch(varnish + "/")
    assert fetch(varnish + "/")[1]["X-Edge-Cache"] == "hit"

    story.title = "Night Ledger renewed for season four (corrected)"
    story.save_revision().publish()

    status, headers, body = fetch(varnish + story.url)
    assert status == 200 and "season four (corrected)" in body
    # The home page lists it: purged too.
    assert "season four (corrected)" in fetch(varnish + "/")[2]

    story.unpublish()
    assert fetch(varnish + story.url)[0] == 404


def test_readers_from_campaign_links_get_the_cached_copy(varnish, story):
    fetch(varnish + story.url)
    for query in ("?utm_source=social&utm_medium=post", "?fbclid=IwAR0abc", "?utm_campaign=x&fbclid=y"):
        status, headers, body = fetch(varnish + story.url + query)
        assert (status, headers["X-Edge-Cache"]) == (200, "hit"), query
        assert "Night Ledger renewed for season three" in body
    assert fetch(varnish + story.url + "?other=1")[1]["X-Edge-Cache"] == "miss"


def test_logged_in_editors_and_posts_bypass_varnish(varnish, story, client):
    fetch(varnish + story.url)
    assert fetch(varnish + story.url)[1]["X-Edge-Cache"] == "hit"

    editor = UserFactory(is_superuser=True)
    client.force_login(editor)
    cookie = f"{django_settings.SESSION_COOKIE_NAME}={client.cookies[django_settings.SESSION_COOKIE_NAME].value}"
    for _ in range(2):
        status, headers, body = fetch(varnish + story.url, cookie=cookie)
        assert headers["X-Edge-Cache"] == "miss"
        assert "wagtail-userbar" in body  # rendered for this editor by the app
    # And the editor's page was not stored for readers.
    assert "wagtail-userbar" not in fetch(varnish + story.url)[2]

    for _ in range(2):
        status, headers, _ = fetch(varnish + story.url, method="POST")
        assert headers["X-Edge-Cache"] == "miss"
        # The comment form carries the reader's own CSRF token: never stored.
        status, headers, body = fetch(varnish + f"/comments/{story.pk}/", cookie="csrftoken=abc")
        assert (status, headers["X-Edge-Cache"]) == (200, "miss") and "csrfmiddlewaretoken" in body
