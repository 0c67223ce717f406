"""The breaking-news banner: on every reader page at once, cached pages
included, and gone at its expiry, with no page purged; through Varnish by
an ESI include of its own fragment."""

import pytest
from lxml import html as lxml_html

from editorial.newsroom import EDITORS, WRITERS, setup_newsroom
from live.models import BreakingNewsBanner
from tests.factories import ArticlePageFactory, SectionPageFactory, hours_ago, newsroom_users
from tests.support.admin import ADMIN
from tests.support.http import fetch
from tests.support.processes import wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    from home.models import SiteSettings

    SiteSettings.load()
    return ArticlePageFactory(parent=SectionPageFactory(slug="news"), title="The awards, live", slug="awards-live")


def banner_text(content):
    found = lxml_html.fromstring(content).xpath("//aside[contains(@class, 'breaking-news')]")
    return " ".join(found[0].text_content().split()) if found else None


def in_seconds(seconds):
    return hours_ago(-seconds / 3600)


def test_a_banner_shows_on_cached_pages_at_once_and_comes_down_at_its_expiry(client, page_cache_on, story):
    for url in ("/", story.url):
        client.get(url)
        cached = client.get(url)
        assert cached["X-Page-Cache"] == "hit" and banner_text(cached.content) is None

    BreakingNewsBanner.objects.create(text="Night Ledger wins best drama", link=story, expires_at=in_seconds(3))
    for url in ("/", story.url, "/franchises/"):
        response = client.get(url)
        assert banner_text(response.content) == "Breaking Night Ledger wins best drama"
    home = client.get("/")
    assert home["X-Page-Cache"] == "hit"  # not purged: filled in on the way out
    aside = lxml_html.fromstring(home.content).xpath("//aside[contains(@class, 'breaking-news')]")[0]
    assert aside.get("aria-label") == "Breaking news"
    assert aside.xpath(".//a/@href") == [story.url]

    wait_for(lambda: banner_text(client.get("/").content) is None, timeout=15, message="the banner to expire")
    assert client.get("/")["X-Page-Cache"] == "hit"


def test_the_higher_priority_banner_shows_and_text_is_escaped(client, story):
    BreakingNewsBanner.objects.create(
        text="Trailer <script>drop</script>",
        priority=BreakingNewsBanner.Priority.DEVELOPING,
        expires_at=in_seconds(600),
    )
    content = client.get("/").content.decode()
    assert "<script>drop" not in content and banner_text(content) == "Developing Trailer <script>drop</script>"
    BreakingNewsBanner.objects.create(text="Finale leaked", expires_at=in_seconds(600))
    assert banner_text(client.get("/").content) == "Breaking Finale leaked"
    # A banner set to go up later waits for its time.
    BreakingNewsBanner.objects.all().delete()
    BreakingNewsBanner.objects.create(text="Later", starts_at=in_seconds(600), expires_at=in_seconds(900))
    assert banner_text(client.get("/").content) is None


def test_editors_manage_banners_and_writers_cannot(client, story):
    setup_newsroom()
    users = newsroom_users(wren=WRITERS, eve=EDITORS)
    add = f"{ADMIN}/snippets/live/breakingnewsbanner/add/"
    data = {"text": "Casting news", "priority": "2", "starts_at": "2026-01-01 10:00", "expires_at": "2099-01-01 10:00"}
    client.force_login(users["wren"])
    assert client.post(add, data).status_code == 302 and not BreakingNewsBanner.objects.exists()
    client.force_login(users["eve"])
    response = client.post(add, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert BreakingNewsBanner.objects.get().text == "Casting news"
    bad = {**data, "expires_at": "2025-01-01 10:00"}
    response = client.post(add, bad)
    assert response.status_code == 200 and b"must come down after it goes up" in response.content
    client.logout()
    assert banner_text(client.get("/").content) == "Breaking Casting news"


@pytest.mark.django_db(transaction=True)
def test_through_varnish_the_banner_comes_and_goes_while_pages_stay_cached(varnish, page_cache_on):
    from home.models import SiteSettings

    SiteSettings.load()
    story = ArticlePageFactory(parent=SectionPageFactory(slug="news"), title="The awards, live", slug="awards-live")
    fetch(varnish + story.url)
    status, headers, body = fetch(varnish + story.url)
    assert headers["X-Edge-Cache"] == "hit" and banner_text(body) is None
    assert "esi:include" not in body

    banner = BreakingNewsBanner.objects.create(text="Night Ledger wins best drama", expires_at=in_seconds(4))
    status, headers, body = fetch(varnish + story.url)
    assert headers["X-Edge-Cache"] == "hit"  # the page itself was not purged
    assert banner_text(body) == "Breaking Night Ledger wins best drama"
    banner.text = "Night Ledger sweeps the awards"
    banner.save()
    assert banner_text(fetch(varnish + story.url)[2]) == "Breaking Night Ledger sweeps the awards"
    wait_for(lambda: banner_text(fetch(varnish + story.url)[2]) is None, timeout=15, message="the banner to expire")
    assert fetch(varnish + story.url)[1]["X-Edge-Cache"] == "hit"
