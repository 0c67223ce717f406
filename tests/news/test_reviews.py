"""Reviews: a story with a verdict, its stars, its Review markup, the hub's
averages, the reviews desk's filters and the API's verdict."""

import json
from decimal import Decimal

from django.core.exceptions import ValidationError

from wagtail.models import PageViewRestriction

import pytest
from lxml import html as lxml_html

from news.models import ArticlePage
from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    FranchiseTagFactory,
    SectionPageFactory,
    SeriesHubPageFactory,
    article_form_data,
    hours_ago,
)
from tests.news.test_query_counts import LISTING_MAX_QUERIES, count_queries
from tests.support.admin import ADMIN

pytestmark = pytest.mark.django_db


def review(parent, series=None, season=None, rating="4", **fields):
    kind = "season" if season else "series" if series else "film"
    defaults = {
        "rating": Decimal(rating),
        "rating_scale": parent.rating_scale or 5,
        "reviewed_kind": kind,
        "series": series,
        "season_number": season,
        "verdict": "Worth your evening.",
    }
    if kind == "film":
        defaults.update(reviewed_title="The Long Quiet", reviewed_year=2026, reviewed_network="Cinemas")
    return ArticlePageFactory(parent=parent, **{**defaults, **fields})


@pytest.fixture
def desk():
    reviews = SectionPageFactory(title="Reviews", slug="reviews", rating_scale=5)
    ledger = SeriesHubPageFactory(title="Night Ledger", slug="night-ledger", network="Streamline")
    ironbound = FranchiseTagFactory(name="Ironbound", slug="ironbound")
    harbour = FranchiseTagFactory(name="Harbour Lights", slug="harbour-lights")
    critic = AuthorFactory(name="Ada Okonkwo", slug="ada-okonkwo")
    stories = {
        "season_one": review(
            reviews, ledger, 1, "4.5", title="Night Ledger season one review", tags=[ironbound], authors=[critic]
        ),
        "season_two": review(reviews, ledger, 2, "2.5", title="Night Ledger season two review", tags=[ironbound]),
        "season_two_again": review(reviews, ledger, 2, "3.5", title="A second look at season two", tags=[harbour]),
        "film": review(reviews, rating="5", title="The Long Quiet review", tags=[harbour]),
        "news": ArticlePageFactory(parent=reviews, title="Awards season opens", tags=[ironbound]),
    }
    return {"section": reviews, "series": ledger, "ironbound": ironbound, "harbour": harbour, **stories}


def tree_of(response):
    assert response.status_code == 200, response.status_code
    return lxml_html.fromstring(response.content)


def json_ld(tree):
    return [json.loads(script.text) for script in tree.xpath("//script[@type='application/ld+json']")]


def card_titles(tree):
    return [title.strip() for title in tree.xpath(".//article[contains(@class, 'card')]//h3/a/text()")]


def test_a_review_shows_its_stars_verdict_and_what_it_reviews_near_the_headline(client, desk):
    tree = tree_of(client.get(desk["season_one"].url))
    header = tree.xpath("//header[@class='article__header']")[0]
    rating = header.xpath(".//p[contains(@class, 'rating')]")[0]
    # Screen readers hear the rating; the star glyphs are hidden from them.
    assert " ".join(rating.xpath("string(.)").split()).startswith("★★★★★ Rated 4.5 out of 5")
    assert rating.xpath(".//span[@aria-hidden='true']/@class") == ["rating__stars rating__stars--45"]
    assert rating.xpath("string(.//span[@class='rating__verdict'])") == "Worth your evening."
    assert "Reviewed: Night Ledger, season 1 · Streamline" in header.xpath("string(.)")

    news = tree_of(client.get(desk["news"].url))
    assert not news.xpath("//header[@class='article__header']//p[contains(@class, 'rating')]")
    assert [item["@type"] for item in json_ld(news)] == ["NewsArticle"]


def test_review_markup_names_what_is_reviewed_its_rating_and_author(client, desk):
    markup = {item["@type"]: item for item in json_ld(tree_of(client.get(desk["season_one"].url)))}
    assert set(markup) == {"NewsArticle", "Review"}
    review_markup = markup["Review"]
    assert review_markup["itemReviewed"] == {
        "@type": "TVSeason",
        "name": "Season 1",
        "seasonNumber": 1,
        "partOfSeries": {"@type": "TVSeries", "name": "Night Ledger", "url": "http://localhost/series/night-ledger/"},
    }
    assert review_markup["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 4.5,
        "bestRating": 5,
        "worstRating": 0.5,
    }
    assert [author["name"] for author in review_markup["author"]] == ["Ada Okonkwo"]
    assert review_markup["url"] == markup["NewsArticle"]["mainEntityOfPage"]

    film = {item["@type"]: item for item in json_ld(tree_of(client.get(desk["film"].url)))}["Review"]
    assert film["itemReviewed"] == {"@type": "Movie", "name": "The Long Quiet", "dateCreated": "2026"}

    series_review = review(desk["section"], desk["series"], rating="3")
    item = {entry["@type"]: entry for entry in json_ld(tree_of(client.get(series_review.url)))}["Review"]
    assert item["itemReviewed"]["@type"] == "TVSeries" and item["itemReviewed"]["name"] == "Night Ledger"


def test_cards_show_the_stars_and_a_ten_point_desk_writes_its_score(client, desk):
    tree = tree_of(client.get(desk["section"].url))
    card = tree.xpath("//article[contains(@class, 'card')][.//a[text()='The Long Quiet review']]")[0]
    assert " ".join(card.xpath("string(.//p[contains(@class, 'rating')])").split()) == (
        "★★★★★ Rated 5 out of 5Worth your evening."
    )

    scores = SectionPageFactory(title="Scores", slug="scores", rating_scale=10)
    review(scores, rating="7", title="Seven out of ten")
    card = tree_of(client.get(scores.url)).xpath("//article[contains(@class, 'card')]")[0]
    rating = card.xpath(".//p[contains(@class, 'rating')]")[0]
    # Written out, not only for screen readers.
    assert rating.xpath("string(.//span[@class='rating__text'])") == "7 out of 10"
    assert rating.xpath(".//span[@aria-hidden='true']/@class") == ["rating__stars rating__stars--35"]


def test_the_hub_lists_its_reviews_and_the_average_rating_of_each_season(client, desk):
    # Neither a draft nor a private review counts.
    review(desk["section"], desk["series"], 1, "0.5", title="Draft pan of season one", live=False)
    private = review(desk["section"], desk["series"], 1, "0.5", title="Private pan of season one")
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    desk["series"].seasons.create(number=1)
    desk["series"].seasons.create(number=2)
    desk["series"].save_revision().publish()

    tree = tree_of(client.get(desk["series"].url))
    seasons = {
        item.xpath("string(h3)"): " ".join(item.xpath("string(.//p[contains(@class, 'rating')])").split())
        for item in tree.xpath("//ol[@class='season-list']/li")
    }
    assert seasons == {
        "Season 1": "★★★★★ Rated 4.5 out of 5, average of 1 review",
        "Season 2": "★★★★★ Rated 3 out of 5, average of 2 reviews",
    }
    reviews = tree.xpath("//section[@class='hub-reviews']")[0]
    # (4.5 + 3) / 2 = 3.75, shown to the half star.
    assert "Rated 4 out of 5, average of 2 seasons" in " ".join(reviews.xpath("string(.)").split())
    assert card_titles(reviews) == [
        "A second look at season two",
        "Night Ledger season two review",
        "Night Ledger season one review",
    ]


def test_the_reviews_desk_filters_by_rating_and_franchise_and_pages_keep_the_filters(client, desk):
    assert set(card_titles(tree_of(client.get(desk["section"].url, {"rating": "4"})))) == {
        "The Long Quiet review",
        "Night Ledger season one review",
    }
    assert set(card_titles(tree_of(client.get(desk["section"].url, {"franchise": "ironbound"})))) == {
        "Night Ledger season one review",
        "Night Ledger season two review",
        "Awards season opens",
    }
    tree = tree_of(client.get(desk["section"].url, {"rating": "3", "franchise": "harbour-lights"}))
    assert set(card_titles(tree)) == {"The Long Quiet review", "A second look at season two"}
    assert tree.xpath("//select[@name='rating']/option[@selected]/@value") == ["3"]
    franchises = tree.xpath("//select[@name='franchise']/option/text()")
    assert franchises == ["Every franchise", "Harbour Lights", "Ironbound"]

    empty = tree_of(client.get(desk["section"].url, {"rating": "5", "franchise": "ironbound"}))
    assert "No reviews match these filters." in empty.xpath("string(//p[@class='empty'])")

    for number in range(12):
        review(desk["section"], rating="4", title=f"Filler {number}", published_at=hours_ago(100 + number))
    tree = tree_of(client.get(desk["section"].url, {"rating": "4"}))
    assert tree.xpath("//a[@rel='next']/@href") == ["?rating=4&page=2"]
    assert len(card_titles(tree_of(client.get(desk["section"].url, {"rating": "4", "page": "2"})))) == 2


@pytest.mark.parametrize("rating", ["6", "0", "-1", "4.5", "abc", "9" * 50, "<script>"])
def test_a_rating_filter_no_reader_could_mean_is_a_clear_400(client, desk, rating):
    response = client.get(desk["section"].url, {"rating": rating})
    assert response.status_code == 400
    tree = lxml_html.fromstring(response.content)
    assert tree.xpath("string(//p[@role='alert'])").startswith("The rating filter runs from 1 to 5 stars.")
    assert not tree.xpath("//script[not(@src) and contains(., 'alert')]")


def test_an_unknown_franchise_filter_is_404_and_other_sections_have_no_filters(client, desk):
    assert client.get(desk["section"].url, {"franchise": "no-such-thing"}).status_code == 404
    news = SectionPageFactory(title="News", slug="news")
    tree = tree_of(client.get(news.url, {"rating": "abc"}))
    assert not tree.xpath("//form[@class='review-filters']")


def test_filtered_listings_cost_what_unfiltered_ones_do(client, desk):
    plain = count_queries(client, desk["section"].url)
    filtered = count_queries(client, f"{desk['section'].url}?rating=3&franchise=harbour-lights")
    assert filtered <= plain + 1 <= LISTING_MAX_QUERIES
    assert count_queries(client, desk["series"].url) <= LISTING_MAX_QUERIES


def test_the_api_gives_the_verdict(client, desk):
    items = client.get("/api/v2/pages/", {"type": "news.ArticlePage", "fields": "verdict"}).json()["items"]
    verdicts = {item["title"]: item["verdict"] for item in items}
    assert verdicts["Awards season opens"] is None
    assert verdicts["Night Ledger season one review"] == {
        "rating": 4.5,
        "scale": 5,
        "stars": 4.5,
        "rating_text": "4.5 out of 5",
        "verdict": "Worth your evening.",
        "reviewed": {
            "kind": "season",
            "schema_type": "TVSeason",
            "name": "Night Ledger, season 1",
            "series": desk["series"].pk,
            "season": 1,
            "title": "",
            "year": None,
            "platform": "Streamline",
        },
    }
    assert verdicts["The Long Quiet review"]["reviewed"]["platform"] == "Cinemas"


@pytest.mark.parametrize(
    "fields, errors",
    [
        ({"rating": "6"}, {"rating"}),
        ({"rating": "0"}, {"rating"}),
        ({"rating": "3.3"}, {"rating"}),
        ({"rating": "abc"}, {"rating"}),
        ({"rating": "4"}, {"reviewed_kind", "verdict"}),
        ({"rating": "4", "reviewed_kind": "film", "verdict": "Fine."}, {"reviewed_title", "reviewed_year"}),
        ({"rating": "4", "reviewed_kind": "season", "verdict": "Fine."}, {"reviewed_kind"}),
        ({"verdict": "Fine without a rating."}, {"rating"}),
    ],
)
def test_a_verdict_that_does_not_hold_together_is_refused_with_field_errors(fields, errors):
    story = ArticlePageFactory(parent=SectionPageFactory(rating_scale=5))
    for name, value in fields.items():
        setattr(story, name, value)
    with pytest.raises(ValidationError) as refused:
        story.full_clean()
    assert errors <= set(refused.value.message_dict)


def test_the_editor_saves_a_review_and_refuses_an_out_of_range_rating_keeping_the_draft(admin_client, desk):
    story = desk["news"]
    author = story.article_authors.first().author
    edit = f"{ADMIN}/pages/{story.pk}/edit/"
    response = admin_client.post(
        edit, article_form_data(story, author=author, rating="11", reviewed_kind="film", verdict="Too much.")
    )
    assert response.status_code == 200  # the form again, with the writer's text in it
    page = response.content.decode()
    assert "On this scale ratings run from 0.5 to 5." in page or "less than or equal to 10" in page
    assert "Too much." in page
    assert ArticlePage.objects.get(pk=story.pk).get_latest_revision_as_object().rating is None

    ten_point = SectionPageFactory(title="Scores", slug="scores", rating_scale=10)
    new_form = admin_client.get(f"{ADMIN}/pages/add/news/articlepage/{ten_point.pk}/").content.decode()
    form = lxml_html.fromstring(new_form)
    assert form.xpath("//select[@name='rating_scale']/option[@selected]/@value") == ["10"]

    response = admin_client.post(
        edit,
        article_form_data(
            story,
            author=author,
            rating="3.5",
            rating_scale="5",
            reviewed_kind="film",
            reviewed_title="The Long Quiet",
            reviewed_year="2026",
            verdict="Quietly great.",
        ),
    )
    assert response.status_code == 302
    assert ArticlePage.objects.get(pk=story.pk).get_latest_revision_as_object().rating == Decimal("3.5")
