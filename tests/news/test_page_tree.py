"""Where each page type may live: the newsroom's tree rules."""

from wagtail.models import Page

import pytest

from home.models import HomePage
from news.models import ArticlePage, SectionPage, SeriesHubPage, SeriesIndexPage
from tests.factories import ArticlePageFactory, SectionPageFactory, SeriesHubPageFactory, home_page, series_index

pytestmark = pytest.mark.django_db


def test_home_page_is_the_site_root(client):
    home = home_page()
    assert home.get_site().is_default_site
    response = client.get("/")
    assert response.status_code == 200
    assert response.templates[0].name == "home/home_page.html"


def test_sections_and_the_series_index_sit_under_home():
    home = home_page()
    assert SectionPage.can_create_at(home)
    assert SeriesIndexPage.can_create_at(home)
    assert not ArticlePage.can_create_at(home)
    assert not SeriesHubPage.can_create_at(home)


def test_articles_live_in_sections_only():
    section = SectionPageFactory()
    hub = SeriesHubPageFactory()
    assert ArticlePage.can_create_at(section)
    assert not ArticlePage.can_create_at(hub)
    assert not ArticlePage.can_create_at(series_index())
    assert not SectionPage.can_create_at(section)


def test_series_hubs_live_under_the_series_index():
    index = series_index()
    assert SeriesHubPage.can_create_at(index)
    assert not SeriesHubPage.can_create_at(SectionPageFactory())
    # Only one series index and one home page make sense.
    assert not SeriesIndexPage.can_create_at(home_page())
    assert not HomePage.can_create_at(Page.get_first_root_node())


def test_nothing_lives_under_an_article():
    article = ArticlePageFactory()
    for page_type in (ArticlePage, SectionPage, SeriesHubPage, SeriesIndexPage):
        assert not page_type.can_create_at(article)
