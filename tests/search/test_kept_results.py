"""The database backend's results are kept for a minute per exact search,
yet a publish, an unpublish, a restriction or a new synonym shows at once,
and the query log counts every search."""

from wagtail.models import PageViewRestriction

import pytest

from search.models import SearchQueryDay, SearchSynonym
from tests.factories import ArticlePageFactory, SectionPageFactory, hours_ago
from tests.search.conftest import results

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fragments_kept")]


@pytest.fixture
def news():
    return SectionPageFactory(title="News", slug="news")


def test_a_kept_search_shows_a_publish_an_unpublish_and_a_restriction_at_once(client, news):
    first = ArticlePageFactory(parent=news, title="Quillon trailer lands", published_at=hours_ago(3))
    assert results(client, q="quillon")[1] == ["Quillon trailer lands"]
    second = ArticlePageFactory(parent=news, title="Quillon casting news", published_at=hours_ago(1))
    assert results(client, q="quillon")[1] == ["Quillon casting news", "Quillon trailer lands"]
    first.unpublish()
    assert results(client, q="quillon")[1] == ["Quillon casting news"]
    PageViewRestriction.objects.create(page=second, restriction_type="password", password="x")
    assert results(client, q="quillon")[1] == []


def test_a_corrected_headline_shows_in_kept_results_at_once(client, news):
    story = ArticlePageFactory(parent=news, title="Quillon trailer lands", published_at=hours_ago(3))
    results(client, q="quillon")
    story.title = "Quillon trailer lands early"
    story.save_revision().publish()
    assert results(client, q="quillon")[1] == ["Quillon trailer lands early"]


def test_a_new_synonym_applies_at_once(client, news):
    ArticlePageFactory(parent=news, title="Marvel Cinematic Universe slate", published_at=hours_ago(3))
    assert results(client, q="mcu")[1] == []
    SearchSynonym.objects.create(terms="MCU, Marvel Cinematic Universe")
    assert results(client, q="mcu")[1] == ["Marvel Cinematic Universe slate"]


def test_every_search_is_counted_even_when_its_results_are_kept(client, news):
    ArticlePageFactory(parent=news, title="Quillon trailer lands", published_at=hours_ago(3))
    for _ in range(3):
        results(client, q="Quillon")
    assert SearchQueryDay.objects.get(query="quillon").searches == 3


def test_a_kept_search_costs_one_query_the_log(client, news, django_assert_num_queries):
    ArticlePageFactory(parent=news, title="Quillon trailer lands", published_at=hours_ago(3))
    results(client, q="quillon")
    with django_assert_num_queries(1):  # the query log's UPDATE
        results(client, q="quillon")
