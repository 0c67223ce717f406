"""Story cards are rendered once and kept, yet every listing shows a change
to what a card shows on the very next request (news/cards.py)."""

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
from tests.support.processes import in_another_process

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fragments_kept")]


@pytest.fixture
def newsroom():
    news = SectionPageFactory(title="News", slug="news")
    series = SeriesHubPageFactory(title="Night Ledger", slug="night-ledger")
    tag = FranchiseTagFactory(name="Ironbound", slug="ironbound")
    writer = AuthorFactory(name="Mara Quill", slug="mara-quill")
    image = ImageFactory(title="Ledger still", description="Two detectives on a rooftop")
    stories = [
        ArticlePageFactory(
            parent=news,
            title=f"Ledger story {number}",
            series=series,
            tags=[tag],
            authors=[writer],
            hero_image=image,
            published_at=hours_ago(number + 1),
        )
        for number in range(6)
    ]
    return {"news": news, "series": series, "tag": tag, "writer": writer, "image": image, "stories": stories}


LISTINGS = ("/", "/news/", "/series/night-ledger/", "/franchises/ironbound/", "/authors/mara-quill/")


def html(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        html(client, url)
    return [query["sql"] for query in captured]


@pytest.mark.parametrize("url", LISTINGS)
def test_a_listing_with_its_cards_kept_reads_no_byline_image_or_tag(client, newsroom, url):
    first = html(client, url)
    assert first.count('class="card') >= 6
    repeat = queries(client, url)
    assert html(client, url) == first
    read = " ".join(repeat)
    for table in ("news_articleauthor", "wagtailimages_rendition", "wagtailimages_image"):
        assert f'FROM "{table}"' not in read, (url, table)


def test_a_corrected_headline_shows_at_once_on_every_listing(client, newsroom):
    for url in LISTINGS:
        html(client, url)
    story = newsroom["stories"][0]
    story.title = "Ledger story 0, corrected"
    story.save_revision().publish()
    for url in LISTINGS:
        page = html(client, url)
        assert "Ledger story 0, corrected" in page, url
        assert "Ledger story 1<" in page, url  # the other cards are still there


def test_a_renamed_author_a_retitled_series_and_a_new_alt_text_show_at_once(client, newsroom):
    html(client, "/news/")
    writer = newsroom["writer"]
    writer.name = "Mara Quill-Okafor"
    writer.save()
    assert "Mara Quill-Okafor" in html(client, "/news/")

    series = newsroom["series"]
    series.title = "Night Ledger: Reckoning"
    series.save_revision().publish()
    assert "Night Ledger: Reckoning</a>" in html(client, "/news/")

    image = newsroom["image"]
    image.description = "Two detectives on a rain-soaked rooftop"
    image.save()
    assert 'alt="Two detectives on a rain-soaked rooftop"' in html(client, "/news/")


def test_a_retitled_section_and_a_moved_story_show_at_once(client, newsroom):
    html(client, "/")
    news = newsroom["news"]
    news.title = "Breaking"
    news.save_revision().publish()
    assert '<p class="card__kicker"><a href="/news/">Breaking</a>' in html(client, "/")

    story = newsroom["stories"][0]
    features = SectionPageFactory(title="Features", slug="features")
    story.move(features, pos="last-child")
    page = html(client, "/")
    assert f'href="/features/{story.slug}/"' in page
    assert f'href="/news/{story.slug}/"' not in page


def test_an_approved_comment_counts_at_once_on_the_card(client, newsroom):
    from comments.models import ReaderComment
    from comments.moderation import approve

    story = newsroom["stories"][0]
    assert "1 comment<" not in html(client, "/news/")
    comment = ReaderComment.objects.create(page=story, name="Sam", email="s@example.com", body="Loved it.")
    approve([comment])
    assert "1 comment<" in html(client, "/news/")


def test_an_unpublished_or_private_story_leaves_the_listings_at_once(client, newsroom):
    from wagtail.models import PageViewRestriction

    first, second = newsroom["stories"][:2]
    for url in LISTINGS:
        html(client, url)
    first.unpublish()
    PageViewRestriction.objects.create(page=second, restriction_type="password", password="x")
    for url in LISTINGS:
        page = html(client, url)
        assert "Ledger story 0<" not in page and "Ledger story 1<" not in page, url
        assert "Ledger story 2<" in page, url


def test_hostile_headlines_are_escaped_in_kept_cards(client, newsroom):
    story = newsroom["stories"][0]
    story.title = '<script>alert("card")</script>'
    story.save_revision().publish()
    for _ in range(2):
        page = html(client, "/news/")
        assert '<script>alert("card")</script>' not in page
        assert "&lt;script&gt;alert(&quot;card&quot;)&lt;/script&gt;" in page


def test_a_new_card_version_in_another_process_reaches_this_one(client, newsroom):
    """Web processes and the worker each keep their own memory cache in the
    embedded default (Redis shares one in production): the card version is
    shared the way the page cache's generation is."""
    from news.cards import card_version

    before = card_version()
    in_another_process("from news.cards import new_card_version; new_card_version()")
    assert card_version() != before


@pytest.mark.parametrize("url", LISTINGS)
def test_a_listing_read_again_makes_no_query(client, newsroom, url):
    """Between publishes a listing is assembled from the cache: its rows and
    count, its cards, the site, the navigation and the footer."""
    html(client, url)
    assert queries(client, url) == []


def test_a_listing_stops_at_page_one_hundred(client, newsroom):
    from news.pagination import MAX_PAGES

    assert client.get("/news/", {"page": str(MAX_PAGES + 1)}).status_code == 404
    assert client.get("/news/", {"page": "2"}).status_code == 404  # six stories: one page
    assert client.get("/news/", {"page": "1"}).status_code == 200


def test_a_publish_shows_on_a_second_page_at_once(client, newsroom):
    # Six stories and eighteen more: two full pages.
    for number in range(18):
        ArticlePageFactory(parent=newsroom["news"], title=f"Filler {number}", published_at=hours_ago(100 + number))
    assert "Filler 17<" in html(client, "/news/?page=2")
    assert client.get("/news/", {"page": "3"}).status_code == 404
    ArticlePageFactory(parent=newsroom["news"], title="Brand new story", published_at=hours_ago(0))
    assert "Brand new story" in html(client, "/news/")
    assert "Filler 17<" not in html(client, "/news/?page=2")  # pushed to page 3
    assert "Filler 17<" in html(client, "/news/?page=3")


def test_feeds_show_a_correction_an_unpublish_and_a_renamed_author_at_once(client, newsroom):
    feeds = ("/feeds/latest.rss", "/feeds/section/news.atom", "/feeds/series/night-ledger.rss")
    feeds += ("/feeds/franchise/ironbound.rss", "/feeds/author/mara-quill.atom")
    for url in feeds:
        html(client, url)
    first, second = newsroom["stories"][:2]
    first.title = "Ledger story 0, corrected"
    first.save_revision().publish()
    second.unpublish()
    writer = newsroom["writer"]
    writer.name = "Mara Quill-Okafor"
    writer.save()
    for url in feeds:
        feed = html(client, url)
        assert "Ledger story 0, corrected" in feed, url
        assert "Ledger story 1<" not in feed, url
        assert "Mara Quill-Okafor" in feed, url


@pytest.mark.parametrize("url", ["/feeds/latest.rss", "/feeds/section/news.rss", "/feeds/author/mara-quill.rss"])
def test_a_feed_read_again_makes_no_query(client, newsroom, url):
    html(client, url)
    assert queries(client, url) == []
