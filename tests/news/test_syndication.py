"""Feeds, sitemaps, robots.txt and the API: complete, parseable, and leak-free."""

from django.utils import timezone

from wagtail.models import PageViewRestriction

import feedparser
import pytest
from lxml import etree

from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    FranchiseTagFactory,
    ImageFactory,
    SectionPageFactory,
    SeriesHubPageFactory,
    hours_ago,
)

pytestmark = pytest.mark.django_db

SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "n": "http://www.google.com/schemas/sitemap-news/0.9",
}


@pytest.fixture
def stories():
    """Published stories plus a draft, a private and an embargoed one, each with a unique word."""
    section = SectionPageFactory(title="News", slug="news")
    series = SeriesHubPageFactory(title="Night Ledger", slug="night-ledger")
    tag = FranchiseTagFactory(name="Ironbound", slug="ironbound")
    author = AuthorFactory(name="Niko Parrish", slug="niko-parrish")
    common = {"parent": section, "series": series, "tags": [tag], "authors": [author]}
    fresh = ArticlePageFactory(title="Fresh story", published_at=hours_ago(2), hero_image=ImageFactory(), **common)
    old = ArticlePageFactory(title="Old story", published_at=hours_ago(24 * 10), **common)
    ArticlePageFactory(title="Draft zebraword", live=False, **common)
    private = ArticlePageFactory(title="Private quokkaword", published_at=hours_ago(1), **common)
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="letmein")
    embargoed = ArticlePageFactory(title="Embargoed narwhalword", live=False, **common)
    embargoed.go_live_at = timezone.now() + timezone.timedelta(days=1)
    embargoed.save_revision().publish()
    embargoed.refresh_from_db()
    assert not embargoed.live and embargoed.go_live_at
    return {"section": section, "series": series, "tag": tag, "author": author, "fresh": fresh, "old": old}


SECRET_WORDS = ("zebraword", "quokkaword", "narwhalword")


def assert_no_secrets(content):
    text = content.decode() if isinstance(content, bytes) else content
    for word in SECRET_WORDS:
        assert word not in text


FEED_URLS = [
    "/feeds/latest.{fmt}",
    "/feeds/section/news.{fmt}",
    "/feeds/series/night-ledger.{fmt}",
    "/feeds/franchise/ironbound.{fmt}",
    "/feeds/author/niko-parrish.{fmt}",
]


@pytest.mark.parametrize("fmt", ["rss", "atom"])
@pytest.mark.parametrize("url", FEED_URLS)
def test_feeds_parse_and_list_only_live_public_stories(client, stories, url, fmt):
    response = client.get(url.format(fmt=fmt))
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == ("rss20" if fmt == "rss" else "atom10")
    assert [entry.title for entry in feed.entries] == ["Fresh story", "Old story"]
    entry = feed.entries[0]
    assert entry.link == f"http://testserver{stories['fresh'].url}"
    assert entry.author == "Niko Parrish"
    assert [tag.term for tag in entry.tags] == ["Ironbound"]
    assert_no_secrets(response.content)


@pytest.mark.parametrize(
    "url",
    ["/feeds/section/nope.rss", "/feeds/series/nope.atom", "/feeds/franchise/nope.rss", "/feeds/author/nope.rss"],
)
def test_unknown_feed_is_404(client, stories, url):
    assert client.get(url).status_code == 404


def test_sitemap_lists_live_public_pages_and_topic_pages(client, stories):
    # Page addresses come from the Wagtail site's hostname, as canonical URLs do.
    response = client.get("/sitemap.xml", HTTP_HOST="localhost")
    assert response.status_code == 200
    tree = etree.fromstring(response.content)
    locations = tree.xpath("//s:url/s:loc/text()", namespaces=SITEMAP_NS)
    assert f"http://localhost{stories['fresh'].url}" in locations
    assert f"http://localhost{stories['old'].url}" in locations
    assert "http://localhost/franchises/ironbound/" in locations
    assert "http://localhost/authors/niko-parrish/" in locations
    assert "http://localhost/" in locations
    assert_no_secrets(response.content)


def test_news_sitemap_covers_the_last_48_hours(client, stories):
    response = client.get("/news-sitemap.xml")
    assert response.status_code == 200
    tree = etree.fromstring(response.content)
    assert tree.xpath("//n:news/n:title/text()", namespaces=SITEMAP_NS) == ["Fresh story"]
    assert tree.xpath("//s:url/s:loc/text()", namespaces=SITEMAP_NS) == [f"http://testserver{stories['fresh'].url}"]
    assert_no_secrets(response.content)


def test_robots_txt_points_at_the_sitemaps(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Sitemap: http://testserver/news-sitemap.xml" in body


def test_api_serves_only_live_public_pages(client, stories):
    response = client.get("/api/v2/pages/", {"type": "news.ArticlePage", "fields": "standfirst,byline"})
    assert response.status_code == 200
    items = response.json()["items"]
    assert {item["title"] for item in items} == {"Fresh story", "Old story"}
    assert all(item["byline"] == ["Niko Parrish"] for item in items)
    assert_no_secrets(response.content)
    for word in SECRET_WORDS:
        assert client.get("/api/v2/pages/", {"search": word}).json()["items"] == []


def test_api_lists_only_images_used_by_live_pages(client, stories):
    secret_image = ImageFactory(title="Embargoed reveal still")
    ArticlePageFactory(parent=stories["section"], title="Draft with image", live=False, hero_image=secret_image)
    titles = [item["title"] for item in client.get("/api/v2/images/").json()["items"]]
    assert titles == [stories["fresh"].hero_image.title]


def test_api_is_read_only(client, stories):
    assert client.post("/api/v2/pages/", {"title": "x"}).status_code == 405
