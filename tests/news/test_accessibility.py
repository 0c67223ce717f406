"""axe-core over every reader page type, in Chromium, at phone and desktop widths."""

from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe

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
from tests.support.browser import WCAG_22_AA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reader_pages():
    from home.models import HomeFeaturedStory

    section = SectionPageFactory(title="Interviews", slug="interviews", intro="Conversations.")
    tag = FranchiseTagFactory(name="Ironbound", slug="ironbound", description="The shared universe.")
    series = SeriesHubPageFactory(
        title="Night Ledger",
        slug="night-ledger",
        key_art=ImageFactory(),
        key_art_alt_text="Night Ledger key art",
        description="<p>A detective drama.</p>",
    )
    author = AuthorFactory(name="Niko Parrish", slug="niko-parrish", bio="TV editor.")
    image = ImageFactory()
    story = ArticlePageFactory(
        parent=section,
        title="Mara Quill on season two",
        standfirst="It is just as personal.",
        series=series,
        hero_image=image,
        hero_alt_text="Mara Quill in the rain",
        hero_credit="Courtesy of Streamline",
        authors=[author],
        tags=[tag],
        body=[
            ("paragraph", "<p>The second season is <b>in production</b>.</p>"),
            ("heading", {"text": "A different beast", "level": "h2"}),
            (
                "pull_quote",
                {
                    "quote": "It lives in her heart.",
                    "speaker": "Mara Quill",
                    "source": "Screen Weekly",
                    "source_url": "https://sw.example/q",
                },
            ),
            (
                "image",
                {
                    "image": image,
                    "alt_text": "The set",
                    "caption": "On set.",
                    "credit": "Streamline",
                    "alignment": "full",
                },
            ),
            ("callout", {"kind": "spoiler", "title": "", "body": "<p>The villain dies.</p>"}),
            ("callout", {"kind": "editors_note", "title": "", "body": "<p>Updated.</p>"}),
            ("list", {"style": "bullet", "items": ["Mara Quill", "Theo Marsh"]}),
            (
                "season_info",
                {
                    "title": "Night Ledger",
                    "season": 2,
                    "network": "Streamline",
                    "rows": [{"label": "Episodes", "value": "13"}],
                },
            ),
        ],
        published_at=hours_ago(1),
    )
    for number in range(4):
        ArticlePageFactory(
            parent=section,
            title=f"Story {number}",
            series=series,
            tags=[tag],
            hero_image=image,
            authors=[author],
            published_at=hours_ago(2 + number),
        )
    desk = SectionPageFactory(title="Reviews", slug="reviews", rating_scale=5)
    series.seasons.create(number=2)
    series.save_revision().publish()
    review = ArticlePageFactory(
        parent=desk,
        title="Night Ledger season two review",
        series=series,
        season_number=2,
        rating=Decimal("3.5"),
        reviewed_kind="season",
        verdict="Slow, then superb.",
        tags=[tag],
        hero_image=image,
        hero_alt_text="Dana Vex at her desk",
        authors=[author],
        published_at=hours_ago(7),
    )
    HomeFeaturedStory.objects.create(page=home_page(), story=story, sort_order=0)
    return {
        "review": review.url,
        "reviews desk, filtered": f"{desk.url}?rating=3&franchise=ironbound",
        "home": "/",
        "article": story.url,
        "section": section.url,
        "series hub": series.url,
        "series index": series.get_parent().url,
        "franchise": "/franchises/ironbound/",
        "franchise index": "/franchises/",
        "author": "/authors/niko-parrish/",
        "not found": "/no-such-page/",
        "search": "/search/?q=night+ledger",
        "search, no results": "/search/?q=nigth+ledgr",
    }


@pytest.mark.parametrize("width", [375, 1280])
def test_reader_pages_have_no_accessibility_violations(live_server, browser, reader_pages, width):
    axe = Axe()
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    failures = {}
    for name, path in reader_pages.items():
        page.goto(live_server.url + path)
        results = axe.run(page, options=WCAG_22_AA)
        if results.violations_count:
            failures[name] = results.generate_report()
    context.close()
    assert not failures, "\n\n".join(f"{name}:\n{report}" for name, report in failures.items())


def test_keyboard_user_can_skip_to_content_and_sees_focus(live_server, browser_page, reader_pages):
    browser_page.goto(live_server.url + reader_pages["article"])
    browser_page.keyboard.press("Tab")
    skip = browser_page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.evaluate("el => getComputedStyle(el).top") != "-64px"  # moved into view when focused
    browser_page.keyboard.press("Enter")
    assert browser_page.evaluate("document.activeElement.id") == "main"


def test_a_screen_reader_hears_the_rating_and_not_the_star_glyphs(live_server, browser_page, reader_pages):
    browser_page.goto(live_server.url + reader_pages["review"])
    rating = browser_page.locator(".article__header .rating")
    assert rating.locator(".rating__stars").is_visible()
    # What assistive technology is given: the accessibility tree, as YAML.
    spoken = rating.aria_snapshot()
    assert "Rated 3.5 out of 5" in " ".join(spoken.split()), spoken
    assert "★" not in spoken


def test_spoiler_opens_on_click(live_server, browser_page, reader_pages):
    browser_page.goto(live_server.url + reader_pages["article"])
    spoiler = browser_page.locator("details.callout--spoiler")
    assert not spoiler.evaluate("el => el.open")
    assert not browser_page.get_by_text("The villain dies.").is_visible()
    spoiler.locator("summary").click()
    assert browser_page.get_by_text("The villain dies.").is_visible()
