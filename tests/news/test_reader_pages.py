"""What readers see on each page, and that it costs a fixed number of queries."""

import json

from django.conf import settings
from django.core.files.storage import default_storage

from wagtail.models import PageViewRestriction

import pytest
from lxml import html as lxml_html

from home.models import HomeFeaturedStory
from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    FranchiseTagFactory,
    ImageFactory,
    SectionPageFactory,
    SeriesHubPageFactory,
    home_page,
    hours_ago,
)

pytestmark = pytest.mark.django_db


def page_tree(response):
    assert response.status_code == 200, response.status_code
    return lxml_html.fromstring(response.content)


@pytest.fixture
def newsroom():
    """A small newsroom: one series, two franchises, two authors, a few stories."""
    section = SectionPageFactory(title="Interviews", slug="interviews")
    marvel, netflix = (
        FranchiseTagFactory(name="Ironbound", slug="ironbound"),
        FranchiseTagFactory(name="Streamline", slug="streamline"),
    )
    series = SeriesHubPageFactory(title="Night Ledger", slug="night-ledger")
    series.franchise_tags.set([marvel])
    series.save_revision().publish()
    niko = AuthorFactory(name="Niko Parrish", slug="niko-parrish")
    ada = AuthorFactory(name="Ada Okonkwo", slug="ada-okonkwo")
    story = ArticlePageFactory(
        parent=section,
        title="Mara Quill on season two",
        slug="mara-quill-season-two",
        standfirst="The star says it is just as personal.",
        series=series,
        season_number=2,
        hero_image=ImageFactory(title="Quill in the rain"),
        hero_alt_text="Mara Quill in the rain",
        hero_caption="Quill returns.",
        hero_credit="Courtesy of Streamline",
        authors=[niko, ada],
        tags=[marvel, netflix],
        body=[
            ("paragraph", "<p>" + "word " * 700 + "</p>"),
            ("pull_quote", {"quote": "It lives in her heart.", "speaker": "Mara Quill"}),
        ],
        published_at=hours_ago(3),
    )
    older = ArticlePageFactory(
        parent=section, title="Night Ledger renewed", series=series, tags=[marvel], published_at=hours_ago(30)
    )
    other = ArticlePageFactory(parent=section, title="A Streamline story", tags=[netflix], published_at=hours_ago(50))
    return {
        "section": section,
        "series": series,
        "story": story,
        "older": older,
        "other": other,
        "niko": niko,
        "ada": ada,
        "marvel": marvel,
        "netflix": netflix,
    }


def test_article_page_shows_everything_a_reader_expects(client, newsroom):
    story = newsroom["story"]
    story.sources = [("source", {"description": "Interview with Screen Weekly", "url": "https://sw.example/q"})]
    story.corrections = [
        (
            "correction",
            {
                "kind": "correction",
                "noted_at": story.first_published_at,
                "note": "An earlier version misspelled Quill.",
            },
        )
    ]
    story.save_revision().publish()
    tree = page_tree(client.get(story.url))

    assert tree.xpath("string(//h1)") == "Mara Quill on season two"
    assert tree.xpath("string(//*[@class='article__standfirst'])") == "The star says it is just as personal."
    byline = tree.xpath("//*[@class='byline']//a")
    assert [(a.text, a.get("href")) for a in byline] == [
        ("Niko Parrish", "/authors/niko-parrish/"),
        ("Ada Okonkwo", "/authors/ada-okonkwo/"),
    ]
    assert "4 min read" in tree.xpath("string(//*[@class='article__dates'])")
    assert tree.xpath("//*[@class='article__dates']/time/@datetime")[0].startswith(
        story.first_published_at.strftime("%Y-%m-%d")
    )
    hero = tree.xpath("//figure[@class='article__hero']//img")[0]
    assert hero.get("alt") == "Mara Quill in the rain" and hero.get("width") and hero.get("height")
    # AVIF first, then WebP, JPEG for browsers that read neither; each a real file of its type.
    sources = tree.xpath("//figure[@class='article__hero']//source")
    assert [source.get("type") for source in sources] == ["image/avif", "image/webp"]
    avif = sources[0].get("srcset").split(",")[-1].split()[0]
    with default_storage.open(avif.removeprefix(settings.MEDIA_URL)) as stored:
        assert stored.read(12)[4:] == b"ftypavif"
    assert hero.get("src").endswith(".jpg")
    assert "Courtesy of Streamline" in tree.xpath("string(//figure[@class='article__hero']/figcaption)")
    assert tree.xpath("//nav[@aria-label='Franchises']//a/text()") == ["Ironbound", "Streamline"]
    assert tree.xpath("string(//*[@class='pull-quote__speaker'])") == "Mara Quill"
    assert "Interview with Screen Weekly" in tree.xpath("string(//*[@class='article__sources'])")
    assert "misspelled Quill" in tree.xpath("string(//*[@class='article__corrections'])")
    assert "More on Night Ledger" in tree.xpath("string(//*[@class='more-in-series']/h2)")
    assert "Night Ledger renewed" in tree.xpath("string(//*[@class='more-in-series'])")
    related = tree.xpath("//section[@class='related container']//h3/a/text()")
    # Related stories do not repeat the series box, nor the story itself.
    assert related == ["A Streamline story"]
    assert {a.text for a in tree.xpath("//nav[@class='share']//a")} >= {"X", "Facebook", "Bluesky", "Email"}


def test_article_page_meta_for_search_and_social(client, newsroom):
    story = newsroom["story"]
    tree = page_tree(client.get(story.url))
    assert tree.xpath("//link[@rel='canonical']/@href") == [story.full_url]
    assert tree.xpath("//meta[@property='og:type']/@content") == ["article"]
    assert tree.xpath("//meta[@property='og:title']/@content") == ["Mara Quill on season two"]
    assert tree.xpath("//meta[@property='og:image']/@content")[0].endswith(".jpg")
    assert tree.xpath("//meta[@name='twitter:card']/@content") == ["summary_large_image"]
    data = json.loads(tree.xpath("//script[@type='application/ld+json']/text()")[0])
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Mara Quill on season two"
    assert [author["name"] for author in data["author"]] == ["Niko Parrish", "Ada Okonkwo"]
    assert data["datePublished"].startswith(story.first_published_at.strftime("%Y-%m-%d"))
    assert data["image"][0].startswith("http://testserver/")


def test_json_ld_cannot_be_broken_out_of(client, newsroom):
    story = ArticlePageFactory(parent=newsroom["section"], title="</script><script>alert(1)</script>")
    response = client.get(story.url)
    assert b"</script><script>alert(1)" not in response.content
    tree = page_tree(response)
    data = json.loads(tree.xpath("//script[@type='application/ld+json']/text()")[0])
    assert data["headline"] == "</script><script>alert(1)</script>"


def test_section_page_lists_its_live_stories_newest_first(client, newsroom):
    ArticlePageFactory(parent=newsroom["section"], title="Unfinished draft", live=False)
    tree = page_tree(client.get(newsroom["section"].url))
    titles = tree.xpath("//article[contains(@class, 'card')]//h3/a/text()")
    assert titles == ["Mara Quill on season two", "Night Ledger renewed", "A Streamline story"]
    assert "Interviews" in tree.xpath("string(//*[contains(@class, 'card__kicker')])")


def test_series_hub_shows_seasons_stories_and_franchise_stories(client, newsroom):
    from news.models import SeriesSeason

    series = newsroom["series"]
    SeriesSeason.objects.create(page=series, number=1, episode_count=13, summary="The first case.")
    SeriesSeason.objects.create(page=series, number=2, summary="In production.")
    franchise_only = ArticlePageFactory(parent=newsroom["section"], title="Ironbound slate", tags=[newsroom["marvel"]])
    series.network, series.status = "Northlight+", "cancelled"
    series.save_revision().publish()
    tree = page_tree(client.get(series.url))
    assert tree.xpath("string(//h1)") == "Night Ledger"
    facts = tree.xpath("//p[@class='hub-header__facts']")[0]
    assert " ".join(facts.text_content().split()) == "Northlight+ · Cancelled"
    assert facts.xpath("span[contains(@class, 'status--cancelled')]/text()") == ["Cancelled"]
    assert tree.xpath("//ol[@class='season-list']/li/h3/text()") == ["Season 1", "Season 2"]
    assert "Premiere date to be announced" in tree.xpath("string(//ol[@class='season-list'])")
    hub_stories = tree.xpath("//section[@aria-labelledby='hub-stories-heading']//h3/a/text()")
    assert hub_stories == ["Mara Quill on season two", "Night Ledger renewed"]
    more = tree.xpath("//section[@aria-labelledby='franchise-stories-heading']//h3/a/text()")
    assert more == [franchise_only.title]


def test_franchise_page_lists_tagged_stories_and_series(client, newsroom):
    tree = page_tree(client.get("/franchises/ironbound/"))
    assert tree.xpath("string(//h1)") == "Ironbound"
    assert tree.xpath("//article//h3/a/text()") == ["Mara Quill on season two", "Night Ledger renewed"]
    assert tree.xpath("//nav[@aria-label='Series in Ironbound']//a/text()") == ["Night Ledger"]
    assert client.get("/franchises/no-such-franchise/").status_code == 404


def test_author_page_lists_their_stories(client, newsroom):
    tree = page_tree(client.get("/authors/ada-okonkwo/"))
    assert tree.xpath("string(//h1)") == "Ada Okonkwo"
    assert tree.xpath("//article//h3/a/text()") == ["Mara Quill on season two"]
    assert client.get("/authors/nobody/").status_code == 404


def test_home_page_leads_with_featured_stories_then_latest(client, newsroom):
    home = home_page()
    HomeFeaturedStory.objects.create(page=home, story=newsroom["older"], sort_order=0)
    HomeFeaturedStory.objects.create(page=home, story=newsroom["story"], sort_order=1)
    tree = page_tree(client.get("/"))
    assert tree.xpath("string(//*[contains(@class, 'card--lead')]//h2)") == "Night Ledger renewed"
    assert tree.xpath("//*[@class='front__side']//h3/a/text()") == ["Mara Quill on season two"]
    assert tree.xpath("//section[@aria-labelledby='latest-heading']//h3/a/text()") == ["A Streamline story"]
    assert tree.xpath("//section[@aria-labelledby='series-heading']//a/text()") == ["Night Ledger"]
    assert tree.xpath("//ul[@class='tag-cloud']//a/text()") == ["Ironbound", "Streamline"]


def test_unpublished_featured_story_is_skipped(client, newsroom):
    home = home_page()
    HomeFeaturedStory.objects.create(page=home, story=newsroom["older"], sort_order=0)
    newsroom["older"].unpublish()
    tree = page_tree(client.get("/"))
    assert "Night Ledger renewed" not in tree.text_content()


@pytest.mark.parametrize("page_number", ["abc", "0", "-1", "999999", "1.5", "9" * 40])
def test_bad_page_numbers_are_404_not_500(client, newsroom, page_number):
    for url in (newsroom["section"].url, newsroom["series"].url, "/franchises/ironbound/", "/authors/niko-parrish/"):
        response = client.get(url, {"page": page_number})
        assert response.status_code == 404, (url, page_number)
        assert b"couldn't find that page" in response.content


def test_listings_paginate(client, newsroom):
    for number in range(13):
        ArticlePageFactory(parent=newsroom["section"], title=f"Filler {number}", published_at=hours_ago(100 + number))
    first = page_tree(client.get(newsroom["section"].url))
    assert len(first.xpath("//article[contains(@class, 'card')]")) == 12
    assert first.xpath("//a[@rel='next']/@href") == ["?page=2"]
    second = page_tree(client.get(newsroom["section"].url, {"page": "2"}))
    assert len(second.xpath("//article[contains(@class, 'card')]")) == 4
    assert second.xpath("//a[@rel='prev']/@href") == ["?page=1"]


def test_private_and_draft_stories_are_not_served(client, newsroom):
    draft = ArticlePageFactory(parent=newsroom["section"], title="Secret draft", live=False)
    private = ArticlePageFactory(parent=newsroom["section"], title="Private story")
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="letmein")
    assert client.get(draft.url or f"/interviews/{draft.slug}/").status_code == 404
    response = client.get(private.url)
    assert response.status_code == 200 and b"Private story</h1>" not in response.content
    listing = client.get(newsroom["section"].url).content.decode()
    assert "Secret draft" not in listing and "Private story" not in listing
