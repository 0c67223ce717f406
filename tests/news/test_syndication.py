"""Feeds, sitemaps, robots.txt and the API: complete, parseable, and leak-free."""

from datetime import datetime

from django.utils import timezone

from wagtail.models import PageViewRestriction

import feedparser
import pytest
from lxml import etree

from news.sitemaps import StorySitemap
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


def sitemap_files(client, **headers):
    """The files the sitemap index lists, and every address in them."""
    response = client.get("/sitemap.xml", **headers)
    assert response.status_code == 200
    files = etree.fromstring(response.content).xpath("//s:sitemap/s:loc/text()", namespaces=SITEMAP_NS)
    locations = {}
    for url in files:
        answer = client.get(url, **headers)
        assert answer.status_code == 200, url
        assert_no_secrets(answer.content)
        locations[url] = etree.fromstring(answer.content).xpath("//s:url/s:loc/text()", namespaces=SITEMAP_NS)
    return locations


def test_sitemap_index_lists_a_file_per_kind_of_page(client, stories):
    # Page addresses come from the Wagtail site's hostname, as canonical URLs do.
    files = sitemap_files(client, HTTP_HOST="localhost")
    assert list(files) == [
        "http://localhost/sitemap-pages.xml",
        "http://localhost/sitemap-stories.xml",
        "http://localhost/sitemap-franchises.xml",
        "http://localhost/sitemap-authors.xml",
    ]
    assert files["http://localhost/sitemap-stories.xml"] == [
        f"http://localhost{stories['old'].url}",
        f"http://localhost{stories['fresh'].url}",
    ]
    pages = files["http://localhost/sitemap-pages.xml"]
    assert "http://localhost/" in pages
    assert f"http://localhost{stories['section'].url}" in pages
    assert f"http://localhost{stories['series'].url}" in pages
    assert not any("story" in url for url in pages)
    assert files["http://localhost/sitemap-franchises.xml"] == ["http://localhost/franchises/ironbound/"]
    assert files["http://localhost/sitemap-authors.xml"] == ["http://localhost/authors/niko-parrish/"]


def test_stories_are_split_across_files_oldest_first(client, stories, fragments_kept, monkeypatch):
    monkeypatch.setattr(StorySitemap, "limit", 1)
    files = sitemap_files(client, HTTP_HOST="localhost")
    assert files["http://localhost/sitemap-stories.xml"] == [f"http://localhost{stories['old'].url}"]
    assert files["http://localhost/sitemap-stories.xml?p=2"] == [f"http://localhost{stories['fresh'].url}"]
    for missing in ("?p=3", "?p=0", "?p=abc", "?p=99999999999999999999"):
        assert client.get(f"/sitemap-stories.xml{missing}").status_code == 404, missing
    assert client.get("/sitemap-nope.xml").status_code == 404


def test_a_publish_and_an_unpublish_show_in_the_sitemap_at_once(client, stories, fragments_kept):
    files = sitemap_files(client, HTTP_HOST="localhost")
    assert len(files["http://localhost/sitemap-stories.xml"]) == 2
    newest = ArticlePageFactory(title="Newest story", parent=stories["section"], published_at=hours_ago(0))
    files = sitemap_files(client, HTTP_HOST="localhost")
    assert files["http://localhost/sitemap-stories.xml"][-1] == f"http://localhost{newest.url}"
    stories["old"].unpublish()
    files = sitemap_files(client, HTTP_HOST="localhost")
    assert files["http://localhost/sitemap-stories.xml"] == [
        f"http://localhost{stories['fresh'].url}",
        f"http://localhost{newest.url}",
    ]


def test_an_author_credited_only_on_hidden_stories_is_shown_nowhere(client, stories):
    ghost = AuthorFactory(name="Quill Hidden", slug="quill-hidden")
    common = {"parent": stories["section"], "authors": [ghost]}
    ArticlePageFactory(title="Draft only", live=False, **common)
    private = ArticlePageFactory(title="Private only", published_at=hours_ago(1), **common)
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="letmein")
    files = sitemap_files(client)
    assert files["http://testserver/sitemap-authors.xml"] == ["http://testserver/authors/niko-parrish/"]
    for url in ("/authors/quill-hidden/", "/feeds/author/quill-hidden.rss", "/feeds/author/quill-hidden.atom"):
        assert client.get(url).status_code == 404, url
    index = client.get("/authors/").content.decode()
    assert "Niko Parrish" in index
    assert "Quill Hidden" not in index
    # Once a story of theirs is public, they are.
    ArticlePageFactory(title="Public at last", published_at=hours_ago(0), **common)
    assert client.get("/authors/quill-hidden/").status_code == 200
    assert "http://testserver/authors/quill-hidden/" in sitemap_files(client)["http://testserver/sitemap-authors.xml"]


def test_news_sitemap_covers_the_last_48_hours(client, stories):
    response = client.get("/news-sitemap.xml", HTTP_HOST="localhost")
    assert response.status_code == 200
    tree = etree.fromstring(response.content)
    assert tree.xpath("//n:news/n:title/text()", namespaces=SITEMAP_NS) == ["Fresh story"]
    assert tree.xpath("//s:url/s:loc/text()", namespaces=SITEMAP_NS) == [f"http://localhost{stories['fresh'].url}"]
    published = tree.xpath("//n:news/n:publication_date/text()", namespaces=SITEMAP_NS)[0]
    assert datetime.fromisoformat(published) == stories["fresh"].first_published_at.replace(microsecond=0)
    assert_no_secrets(response.content)


def test_sitemaps_escape_what_writers_type(client, stories):
    story = ArticlePageFactory(title='Fast & Furious <"Live">', parent=stories["section"], published_at=hours_ago(1))
    response = client.get("/news-sitemap.xml", HTTP_HOST="localhost")
    titles = etree.fromstring(response.content).xpath("//n:news/n:title/text()", namespaces=SITEMAP_NS)
    assert titles[0] == 'Fast & Furious <"Live">'
    response = client.get("/sitemap-stories.xml", HTTP_HOST="localhost")
    assert f"http://localhost{story.url}" in etree.fromstring(response.content).xpath(
        "//s:url/s:loc/text()", namespaces=SITEMAP_NS
    )
    assert response.headers["Last-Modified"]


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


@pytest.mark.parametrize("url", [url.format(fmt="rss") for url in FEED_URLS])
def test_a_feed_kept_for_readers_changes_with_every_edit(client, stories, fragments_kept, url):
    def titles():
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith("application/rss+xml")
        return [(entry.title, entry.author) for entry in feedparser.parse(response.content).entries]

    assert titles() == [("Fresh story", "Niko Parrish"), ("Old story", "Niko Parrish")]
    newest = ArticlePageFactory(
        title="Newest story",
        parent=stories["section"],
        series=stories["series"],
        tags=[stories["tag"]],
        authors=[stories["author"]],
        published_at=hours_ago(0),
    )
    assert titles()[0] == ("Newest story", "Niko Parrish")
    newest.unpublish()
    assert [title for title, _ in titles()] == ["Fresh story", "Old story"]
    stories["author"].name = "Niko Parrish-Vale"
    stories["author"].save()
    assert titles()[0] == ("Fresh story", "Niko Parrish-Vale")
    assert client.get(url.replace(".rss", "-nope.rss")).status_code == 404


def test_api_listing_kept_for_readers_changes_with_every_edit(client, stories, fragments_kept):
    def listing():
        response = client.get(
            "/api/v2/pages/",
            {"type": "news.ArticlePage", "fields": "byline,franchise_tags,hero_image", "order": "-first_published_at"},
        )
        assert response.status_code == 200
        return response.json()["items"]

    assert [item["title"] for item in listing()] == ["Fresh story", "Old story"]
    assert listing()[0]["franchise_tags"] == ["Ironbound"]
    newest = ArticlePageFactory(title="Newest story", parent=stories["section"], published_at=hours_ago(0))
    assert [item["title"] for item in listing()] == ["Newest story", "Fresh story", "Old story"]
    newest.unpublish()
    assert [item["title"] for item in listing()] == ["Fresh story", "Old story"]
    stories["author"].name = "Niko Parrish-Vale"
    stories["author"].save()
    assert listing()[0]["byline"] == ["Niko Parrish-Vale"]
    image = stories["fresh"].hero_image
    image.title = "Renamed still"
    image.save()
    assert listing()[0]["hero_image"]["title"] == "Renamed still"
    # Bad parameters are the reader's mistake, answered and not kept.
    for _ in range(2):
        assert client.get("/api/v2/pages/", {"type": "news.Nope"}).status_code == 400
        assert client.get("/api/v2/pages/", {"fields": "nope"}).status_code == 400


def test_api_lists_only_images_used_by_live_pages(client, stories):
    secret_image = ImageFactory(title="Embargoed reveal still")
    ArticlePageFactory(parent=stories["section"], title="Draft with image", live=False, hero_image=secret_image)
    titles = [item["title"] for item in client.get("/api/v2/images/").json()["items"]]
    assert titles == [stories["fresh"].hero_image.title]


def test_api_is_read_only(client, stories):
    assert client.post("/api/v2/pages/", {"title": "x"}).status_code == 405
