"""Pages cost a fixed number of queries, however rich the story or long the list."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

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

ARTICLE_PAGE_MAX_QUERIES = 15
LISTING_MAX_QUERIES = 15


def rich_article(section, series, size):
    """A story with `size` authors, tags, related-story blocks and images."""
    authors = [AuthorFactory() for _ in range(size)]
    tags = [FranchiseTagFactory() for _ in range(size)]
    image = ImageFactory()
    others = [ArticlePageFactory(parent=section, series=series, tags=tags[:1], hero_image=image) for _ in range(size)]
    body = []
    for other in others:
        body += [
            ("paragraph", "<p>Paragraph.</p>"),
            ("related_story", {"page": other, "label": ""}),
            ("image", {"image": image, "alt_text": "A still", "caption": "", "credit": "", "alignment": "full"}),
            ("pull_quote", {"quote": "Quote.", "speaker": "Someone"}),
        ]
    return ArticlePageFactory(parent=section, series=series, authors=authors, tags=tags, body=body, hero_image=image)


def count_queries(client, url):
    # Rendition rows are created on the first view; measure the steady state.
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_article_page_queries_do_not_grow_with_its_content(client):
    section = SectionPageFactory()
    series = SeriesHubPageFactory()
    small = count_queries(client, rich_article(section, series, 1).url)
    large = count_queries(client, rich_article(section, series, 6).url)
    assert large == small, (small, large)
    assert large <= ARTICLE_PAGE_MAX_QUERIES


def test_article_page_within_budget(client, django_assert_max_num_queries):
    section = SectionPageFactory()
    story = rich_article(section, SeriesHubPageFactory(), 4)
    client.get(story.url)
    with django_assert_max_num_queries(ARTICLE_PAGE_MAX_QUERIES):
        client.get(story.url)


def listing_urls(section, series, tag, author):
    return [
        section.url,
        series.url,
        f"/franchises/{tag.slug}/",
        f"/authors/{author.slug}/",
        "/",
        "/feeds/latest.rss",
        f"/feeds/section/{section.slug}.atom",
        f"/feeds/series/{series.slug}.rss",
        f"/feeds/franchise/{tag.slug}.rss",
        f"/feeds/author/{author.slug}.atom",
        "/sitemap.xml",
        "/sitemap-pages.xml",
        "/sitemap-stories.xml",
        "/sitemap-authors.xml",
        "/news-sitemap.xml",
        "/api/v2/pages/?type=news.ArticlePage&fields=*",
    ]


def test_listings_cost_the_same_for_one_page_or_several(client):
    # A short first page is its own count: it may cost one query less.
    section = SectionPageFactory()
    series = SeriesHubPageFactory()
    tag = FranchiseTagFactory()
    author = AuthorFactory()
    image = ImageFactory()

    def add(count):
        for _ in range(count):
            ArticlePageFactory(
                parent=section,
                series=series,
                tags=[tag, FranchiseTagFactory()],
                authors=[author, AuthorFactory()],
                hero_image=image,
                published_at=hours_ago(1),
            )

    add(3)
    short = {url: count_queries(client, url) for url in listing_urls(section, series, tag, author)}
    add(9)
    before = {url: count_queries(client, url) for url in listing_urls(section, series, tag, author)}
    add(18)
    after = {url: count_queries(client, url) for url in listing_urls(section, series, tag, author)}
    assert after == before
    assert all(short[url] <= after[url] for url in after), (short, after)
    assert max(after.values()) <= LISTING_MAX_QUERIES, after
