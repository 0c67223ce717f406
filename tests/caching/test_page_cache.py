"""The page cache serves anonymous readers and never serves a stale or a
private page: every publish shows at once."""

import pytest

from tests.factories import (
    ArticlePageFactory,
    FranchiseTagFactory,
    SectionPageFactory,
    UserFactory,
    hours_ago,
)
from tests.support.processes import in_another_process

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


@pytest.fixture
def story():
    from home.models import SiteSettings

    # Created on the first page view otherwise, and that change purges the cache.
    SiteSettings.load()
    news = SectionPageFactory(title="News", slug="news")
    tag = FranchiseTagFactory(name="Ironbound", slug="ironbound")
    return ArticlePageFactory(parent=news, title="Night Ledger renewed", tags=[tag], published_at=hours_ago(1))


def get(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200
    return response


def test_a_second_anonymous_reader_is_served_from_the_cache(client, story, django_assert_num_queries):
    assert get(client, story.url)["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        response = get(client, story.url)
    assert response["X-Page-Cache"] == "hit"
    assert "Night Ledger renewed" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert response["X-Frame-Options"] == "DENY"


def test_a_correction_shows_at_once_on_the_story_the_home_page_and_the_franchise_page(client, story):
    for url in (story.url, "/", "/franchises/ironbound/"):
        get(client, url)
        assert get(client, url)["X-Page-Cache"] == "hit"

    story.title = "Night Ledger renewed for season three (corrected)"
    story.save_revision().publish()

    for url in (story.url, "/", "/franchises/ironbound/"):
        assert "(corrected)" in get(client, url).content.decode(), url


def test_unpublish_move_and_tag_rename_purge(client, story):
    get(client, story.url)
    get(client, "/franchises/ironbound/")
    tag = story.franchise_tags.get()
    tag.name = "Ironbound Comics"
    tag.save()
    assert "Ironbound Comics" in get(client, "/franchises/ironbound/").content.decode()

    reviews = SectionPageFactory(title="Reviews", slug="reviews")
    old_url = story.url
    story.move(reviews, pos="last-child")
    story.refresh_from_db()
    # Wagtail redirects the old address; the cached copy there is gone.
    assert client.get(old_url)["Location"] == story.url
    get(client, story.url)

    story.unpublish()
    assert client.get(story.url).status_code == 404


def test_logged_in_editors_are_never_served_the_cache(client, story):
    get(client, story.url)
    assert get(client, story.url)["X-Page-Cache"] == "hit"
    editor = UserFactory(is_superuser=True)
    client.force_login(editor)
    response = get(client, story.url)
    assert "X-Page-Cache" not in response
    # Nor is what they see stored for readers.
    client.logout()
    client.cookies.clear()
    assert b"wagtail-userbar" not in get(client, story.url).content


@pytest.mark.parametrize(
    "url, params",
    [
        ("/search/", {"q": "ledger"}),
        ("STORY", {"ref": "x"}),
        ("STORY", {"utm_source": "x", "ref": "y"}),
        ("/healthz", {}),
    ],
)
def test_search_arbitrary_query_strings_and_health_checks_are_not_cached(client, story, url, params):
    url = story.url if url == "STORY" else url
    client.get(url, params)
    response = client.get(url, params)
    assert "X-Page-Cache" not in response


def test_post_requests_pass_through(client, story):
    get(client, story.url)
    response = client.post(story.url)
    assert "X-Page-Cache" not in response


def test_a_publish_in_another_process_reaches_this_one(client, story):
    """Web processes and the Celery worker each keep their own memory cache;
    a purge in one (say, scheduled publishing in the worker) reaches all."""
    get(client, story.url)
    assert get(client, story.url)["X-Page-Cache"] == "hit"
    in_another_process("from caching.page_cache import purge_page_cache; purge_page_cache()")
    assert get(client, story.url)["X-Page-Cache"] == "miss"


def test_story_fragments_are_cached_until_the_next_publish(client, settings, story, django_assert_max_num_queries):
    """With the whole-page cache off, the costly fragments of a story's page
    (body, byline, related stories) are still cached, and purged alike."""
    settings.PAGE_CACHE_SECONDS = 0
    settings.FRAGMENT_CACHE_SECONDS = 600
    first = get(client, story.url).content.decode()
    # The site, its settings, the route to the story and its fragments all come from the cache.
    with django_assert_max_num_queries(0):
        second = get(client, story.url).content.decode()
    assert second == first

    story.title = "Night Ledger renewed (corrected)"
    story.save_revision().publish()
    assert "Night Ledger renewed (corrected)</h1>" in get(client, story.url).content.decode()


def test_a_page_made_private_leaves_every_cached_listing_at_once(client, story):
    from wagtail.models import PageViewRestriction

    assert "Night Ledger renewed" in get(client, "/").content.decode()
    PageViewRestriction.objects.create(page=story, restriction_type="password", password="x")
    assert "Night Ledger renewed" not in get(client, "/").content.decode()


def test_an_approved_comment_shows_at_once_on_a_cached_story(client, story):
    from comments.models import ReaderComment
    from comments.moderation import approve

    get(client, story.url)
    assert get(client, story.url)["X-Page-Cache"] == "hit"
    comment = ReaderComment.objects.create(page=story, name="Sam", email="s@example.com", body="Loved it.")
    assert "Loved it." not in get(client, story.url).content.decode()  # pending: no purge
    approve([comment])
    assert "Loved it." in get(client, story.url).content.decode()


def test_a_story_made_private_asks_for_its_password_at_once(client, settings, story):
    """Routing keeps the pages it found under the generation; a new view
    restriction starts a new one, so nothing found before it is served."""
    from wagtail.models import PageViewRestriction

    settings.PAGE_CACHE_SECONDS = 0
    get(client, story.url)
    get(client, story.url)
    password = PageViewRestriction.objects.create(page=story, restriction_type="password", password="x")
    response = client.get(story.url)
    assert response.status_code == 200 and "Night Ledger renewed" not in response.content.decode()
    assert 'name="password"' in response.content.decode()
    password.delete()
    assert "Night Ledger renewed" in get(client, story.url).content.decode()
    PageViewRestriction.objects.create(page=story.get_parent(), restriction_type="login")
    assert client.get(story.url).status_code == 302  # to the login page: the section's restriction applies


def test_site_settings_and_unpublishing_show_at_once_with_the_page_cache_off(client, settings, story):
    from home.models import SiteSettings

    settings.PAGE_CACHE_SECONDS = 0
    get(client, story.url)
    site_settings = SiteSettings.load()
    site_settings.footer_text = "Talkies: new footer line."
    site_settings.save()
    assert "Talkies: new footer line." in get(client, story.url).content.decode()
    story.unpublish()
    assert client.get(story.url).status_code == 404


def test_readers_arriving_from_campaign_links_share_the_cached_page(client, story, django_assert_num_queries):
    get(client, story.url)
    with django_assert_num_queries(0):
        response = get(client, story.url, QUERY_STRING="utm_source=newsletter&utm_medium=email&fbclid=IwAR0abc")
    assert response["X-Page-Cache"] == "hit"
    # Pagination still counts; anything else still bypasses the cache.
    assert get(client, "/news/", QUERY_STRING="page=1&utm_campaign=spring")["X-Page-Cache"] == "miss"
    assert get(client, "/news/", QUERY_STRING="utm_campaign=spring&page=1")["X-Page-Cache"] == "hit"
    assert "X-Page-Cache" not in get(client, story.url, QUERY_STRING="utm_source=x&preview=1")
