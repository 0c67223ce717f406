"""Reader search on the database backend: results, facets, sort, suggestions,
leaks and hostile input."""

from decimal import Decimal

from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest
from lxml import html as lxml_html

from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    FranchiseTagFactory,
    SectionPageFactory,
    SeriesHubPageFactory,
    hours_ago,
)
from tests.search.conftest import reindex, results
from tests.support.admin import ADMIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(backend):
    news = SectionPageFactory(title="News", slug="news")
    reviews = SectionPageFactory(title="Reviews", slug="reviews")
    ledger = SeriesHubPageFactory(title="Night Ledger", slug="night-ledger")
    starfall = SeriesHubPageFactory(title="Starfall Drift", slug="starfall-drift")
    ironbound = FranchiseTagFactory(name="Ironbound", slug="ironbound")
    streamline = FranchiseTagFactory(name="Streamline", slug="streamline")
    niko = AuthorFactory(name="Niko Parrish", slug="niko-parrish")
    ada = AuthorFactory(name="Ada Okonkwo", slug="ada-okonkwo")
    stories = {
        "renewed": ArticlePageFactory(
            parent=news,
            title="Night Ledger renewed for season three",
            standfirst="Streamline orders more detective drama.",
            series=ledger,
            tags=[ironbound, streamline],
            authors=[niko],
            published_at=hours_ago(2),
        ),
        "review": ArticlePageFactory(
            parent=reviews,
            title="Review: Night Ledger season two",
            standfirst="The ledger balances at last.",
            series=ledger,
            season_number=2,
            rating=Decimal("4.5"),
            reviewed_kind="season",
            verdict="The ledger balances.",
            tags=[ironbound],
            authors=[ada],
            published_at=hours_ago(24 * 20),
        ),
        "starfall": ArticlePageFactory(
            parent=news,
            title="Starfall Drift adds a new captain",
            standfirst="Casting news from the far edge.",
            series=starfall,
            tags=[streamline],
            authors=[ada],
            published_at=hours_ago(24 * 100),
        ),
    }
    # Never to be found: a draft, a private story, an embargoed one.
    ArticlePageFactory(parent=news, title="Night Ledger zebraword draft", live=False)
    private = ArticlePageFactory(parent=news, title="Night Ledger quokkaword private")
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    embargoed = ArticlePageFactory(parent=news, title="Night Ledger narwhalword embargoed", live=False)
    embargoed.go_live_at = timezone.now() + timezone.timedelta(days=1)
    embargoed.save_revision().publish()
    reindex(backend)
    return stories


def facet(tree, name):
    labels = tree.xpath(f"//input[@name='{name}']/following-sibling::label")
    return {label.text.strip(): label.xpath("string(span)") for label in labels}


def test_search_finds_stories_with_highlighted_snippets(client, archive):
    tree, titles = results(client, q="ledger")
    # Both headlines match; the review's standfirst does too, so it ranks first.
    assert titles == ["Review: Night Ledger season two", "Night Ledger renewed for season three"]
    assert tree.xpath("//p[@class='result__snippet']/mark/text()") == ["ledger"]
    assert "2 stories" in tree.xpath("string(//*[@role='status'])")


def test_relevance_puts_headline_matches_first_and_newest_sorts_by_date(client, archive):
    _, titles = results(client, q="streamline")
    assert titles[0] == "Night Ledger renewed for season three"  # in the standfirst and a tag
    _, newest = results(client, q="season", sort="newest")
    assert newest == ["Night Ledger renewed for season three", "Review: Night Ledger season two"]


def test_facets_count_and_combine(client, archive):
    tree, titles = results(client, q="night ledger")
    assert facet(tree, "franchise") == {"Ironbound": "(2)", "Streamline": "(1)"}
    assert facet(tree, "section") == {"News": "(1)", "Reviews": "(1)"}
    assert facet(tree, "author") == {"Ada Okonkwo": "(1)", "Niko Parrish": "(1)"}

    tree, titles = results(client, q="night ledger", franchise="streamline")
    assert titles == ["Night Ledger renewed for season three"]
    # Multi-select: the franchise counts ignore the franchise filter itself.
    assert facet(tree, "franchise") == {"Ironbound": "(2)", "Streamline": "(1)"}
    assert tree.xpath("//input[@name='franchise'][@value='streamline']/@checked") == ["checked"]

    _, titles = results(client, franchise=["streamline", "ironbound"], section="news")
    assert titles == ["Night Ledger renewed for season three", "Starfall Drift adds a new captain"]


def test_rating_facet_counts_reviews_and_narrows_to_them(client, archive, backend):
    ArticlePageFactory(
        parent=archive["review"].get_parent(),
        title="Review: Starfall Drift is a ledger of missed chances",
        series=archive["starfall"].series,
        rating=Decimal("3"),
        rating_scale=10,
        reviewed_kind="series",
        verdict="Adrift.",
    )
    reindex(backend)
    tree, titles = results(client, q="ledger")
    assert len(titles) == 3
    # Best first, whatever the counts; a ten-point 3 is one and a half stars.
    assert list(facet(tree, "rating").items()) == [("4 to 4½ stars", "(1)"), ("1 to 1½ stars", "(1)")]

    tree, titles = results(client, q="ledger", rating="4")
    assert titles == ["Review: Night Ledger season two"]
    assert facet(tree, "rating") == {"4 to 4½ stars": "(1)", "1 to 1½ stars": "(1)"}  # multi-select
    _, titles = results(client, rating=["4", "1"])
    assert len(titles) == 2
    _, titles = results(client, q="ledger", rating="5")
    assert titles == []
    for bad in ("6", "-1", "4.5", "five"):
        response = client.get("/search/", {"q": "ledger", "rating": bad})
        assert response.status_code == 400
        assert "The rating filter runs from 0 (half a star) to 5 stars." in response.content.decode()


def test_date_facet(client, archive):
    tree, titles = results(client, date="week")
    assert titles == ["Night Ledger renewed for season three"]
    dates = facet(tree, "date")
    assert dates["Past week"] == "(1)" and dates["Past month"] == "(2)" and dates["Past year"] == "(3)"


def test_pagination_keeps_the_query_and_filters(client, archive, backend):
    section = archive["renewed"].get_parent()
    for number in range(12):
        ArticlePageFactory(parent=section, title=f"Ledger filler {number}", published_at=hours_ago(50 + number))
    reindex(backend)
    tree, titles = results(client, q="ledger", section="news")
    assert len(titles) == 10
    next_link = tree.xpath("//a[@rel='next']/@href")[0]
    assert "q=ledger" in next_link and "section=news" in next_link and "page=2" in next_link
    _, second = results(client, q="ledger", section="news", page="2")
    assert len(second) == 3


def test_drafts_private_and_embargoed_stories_are_never_found(client, archive):
    for word in ("zebraword", "quokkaword", "narwhalword"):
        _, titles = results(client, q=word)
        assert titles == []
        assert client.get("/search/suggest/", {"q": word}).json()["stories"] == []
    _, titles = results(client, q="night ledger")
    assert not [title for title in titles if "word" in title]


def test_zero_results_suggest_popular_franchises(client, archive):
    tree, titles = results(client, q="zzqx qqzx")
    assert titles == []
    assert tree.xpath("//*[@class='no-results']//ul[@class='tag-cloud']//a/text()") == ["Ironbound", "Streamline"]


def test_typos_find_the_stories_and_the_database_says_what_it_read(client, archive, backend):
    tree, titles = results(client, q="nigth ledgr")
    assert set(titles) == {"Night Ledger renewed for season three", "Review: Night Ledger season two"}
    if backend == "database":
        assert tree.xpath("string(//p[@class='did-you-mean']/a)") == "night ledger"
        assert "q=night+ledger" in tree.xpath("string(//p[@class='did-you-mean']/a/@href)")


def test_a_word_missing_from_a_story_costs_rank_not_the_match(client, archive):
    _, titles = results(client, q="ledger captain")
    # No story holds both words: each that holds one is found, headline matches first.
    assert set(titles) == {
        "Review: Night Ledger season two",
        "Night Ledger renewed for season three",
        "Starfall Drift adds a new captain",
    }
    _, titles = results(client, q="ledger balances")
    assert titles[0] == "Review: Night Ledger season two"  # the only story with both


def test_suggest_returns_stories_series_and_franchises(client, archive):
    data = client.get("/search/suggest/", {"q": "stre"}).json()
    assert [item["title"] for item in data["franchises"]] == ["Streamline"]
    data = client.get("/search/suggest/", {"q": "night"}).json()
    assert [item["title"] for item in data["series"]] == ["Night Ledger"]
    assert data["stories"][0]["url"] == archive["renewed"].url
    assert client.get("/search/suggest/", {"q": "n"}).json()["stories"] == []


HOSTILE_QUERIES = [
    "",
    "x" * 10_000,
    "!!!???...",
    '" ( ) * ? : \\ / [ ] { } ~ ^ AND OR NOT',
    "🎬 ドラマ Сериал دراما",
    "night\x00ledger",
    "<script>alert(1)</script>",
    "%",
    "_",
]


def test_hostile_queries_answer_200_without_errors(client, archive):
    # One archive for every query: building it is most of the test's time.
    for query in HOSTILE_QUERIES:
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200, query
        body = response.content.decode()
        assert "<script>alert(1)</script>" not in body, query
        assert "Traceback" not in body, query
        suggest = client.get("/search/suggest/", {"q": query})
        assert suggest.status_code == 200, query


BAD_PARAMETERS = [
    {"sort": "bogus"},
    {"page": "abc"},
    {"page": "0"},
    {"page": "-1"},
    {"page": "999999"},
    {"date": "decade"},
]


def test_bad_parameters_answer_400_with_a_message(client, archive):
    for params in BAD_PARAMETERS:
        response = client.get("/search/", {"q": "ledger", **params})
        assert response.status_code == 400, params
        assert b'role="alert"' in response.content, params


def test_unknown_facet_values_just_match_nothing(client, archive):
    _, titles = results(client, q="ledger", franchise="no-such-franchise")
    assert titles == []


@pytest.mark.parametrize("backend", ["elasticsearch"], indirect=True)
def test_story_bodies_are_searched_on_elasticsearch(client, archive):
    tree, titles = results(client, q="body text")
    assert len(titles) == 3  # every story's body reads "Body text of the story."
    assert tree.xpath("//p[@class='result__snippet']/mark/text()")[:2] == ["Body", "text"]


@pytest.mark.parametrize("backend", ["database"], indirect=True)
def test_search_answers_from_the_database_when_elasticsearch_is_down(client, archive, settings):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    tree, titles = results(client, q="ledger")
    assert titles == ["Review: Night Ledger season two", "Night Ledger renewed for season three"]
    assert "simpler mode" in tree.xpath("string(//p[@class='notice'])")
    health = client.get("/healthz").json()
    assert "search" in health["down"]


@pytest.mark.parametrize("backend", ["elasticsearch"], indirect=True)
def test_publish_and_unpublish_update_the_index(client, archive, django_capture_on_commit_callbacks):
    from search.elasticsearch import sync_article

    story = archive["starfall"]
    story.unpublish()
    sync_article(story.pk)  # what the Celery task runs after commit
    assert results(client, q="starfall")[1] == []
    story.save_revision().publish()
    sync_article(story.pk)
    assert results(client, q="starfall")[1] == ["Starfall Drift adds a new captain"]


def test_search_page_queries_do_not_grow_with_results(client, archive, django_assert_max_num_queries):
    client.get("/search/", {"q": "a"})
    with django_assert_max_num_queries(20):
        client.get("/search/", {"q": "a"})


@pytest.mark.parametrize("backend", ["database"], indirect=True)
def test_promoted_results_lead_the_first_page(client, archive):
    from wagtail.contrib.search_promotions.models import Query, SearchPromotion

    query = Query.get("night ledger")
    SearchPromotion.objects.create(query=query, page=archive["review"], description="Our verdict", sort_order=0)
    draft = ArticlePageFactory(parent=archive["review"].get_parent(), title="Unpublished pick", live=False)
    SearchPromotion.objects.create(query=query, page=draft, sort_order=1)
    tree, _ = results(client, q="Night  Ledger")
    assert tree.xpath("//aside[@class='promotions']//a/text()") == ["Review: Night Ledger season two"]


@pytest.mark.parametrize("backend", ["database"], indirect=True)
def test_editors_see_top_and_zero_result_queries_without_personal_data(client, archive):
    from editorial.newsroom import EDITORS, WRITERS, setup_newsroom
    from search.models import SearchQueryDay
    from tests.factories import newsroom_users

    for query in ["Night Ledger", "night  ledger", "zzqx", "ledger"]:
        client.get("/search/", {"q": query}, REMOTE_ADDR="203.0.113.9")
    client.get("/search/", {"q": "ledger", "page": "2"})  # later pages are not counted again
    rows = {row.query: (row.searches, row.zero_results) for row in SearchQueryDay.objects.all()}
    assert rows == {"night ledger": (2, 0), "zzqx": (1, 1), "ledger": (1, 0)}
    assert {field.name for field in SearchQueryDay._meta.get_fields()} == {
        "id",
        "day",
        "query",
        "searches",
        "zero_results",
    }

    setup_newsroom()
    people = newsroom_users(eddie=EDITORS, wren=WRITERS)
    client.force_login(people["eddie"])
    report = lxml_html.fromstring(client.get(f"{ADMIN}/reports/reader-searches/").content)
    assert report.xpath("//table[@id='top-queries']//td[1]/text()")[0] == "night ledger"
    assert report.xpath("//table[@id='zero-result-queries']//td[1]/text()") == ["zzqx"]
    client.force_login(people["wren"])
    response = client.get(f"{ADMIN}/reports/reader-searches/")
    assert response.status_code in (302, 403)
