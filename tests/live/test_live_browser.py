"""A reader has a live story open in Chromium while two writers post from
the admin at the same moment: the reader's page offers both updates without
a reload, takes neither their focus nor their place, and stays accessible."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from editorial.newsroom import EDITORS, WRITERS, setup_newsroom
from live.models import LiveUpdate
from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    LiveCoverageFactory,
    LiveUpdateFactory,
    SectionPageFactory,
    hours_ago,
    newsroom_users,
)
from tests.support.admin import ADMIN
from tests.support.browser import WCAG_22_AA, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_desk(browser, live_server, username, story):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, username)
    page.goto(f"{live_server.url}{ADMIN}/live/{story.pk}/")
    return context, page


def fill_update(page, headline, text, author):
    page.fill("#id_update-headline", headline)
    editor = page.locator(".public-DraftEditor-content").first
    editor.click()
    editor.press_sequentially(text)
    page.check(f"input[name='update-authors'][value='{author.pk}']")
    # Draftail writes the paragraph into the form a moment after the typing.
    page.wait_for_function(
        "text => (document.querySelector('[name=\"update-body-0-value\"]').value || '').includes(text)", arg=text
    )


def test_a_reader_sees_two_writers_updates_without_a_reload(live_server, browser, settings):
    settings.LIVE_POLL_SECONDS = 2
    story = ArticlePageFactory(
        parent=SectionPageFactory(title="News", slug="news"), title="The awards, live", published_at=hours_ago(1)
    )
    coverage = LiveCoverageFactory(page=story)
    LiveUpdateFactory(coverage=coverage, headline="Red carpet opens", posted_at=hours_ago(0.5))
    setup_newsroom()
    newsroom_users(wren=WRITERS, wade=WRITERS, eve=EDITORS)
    ada, sam = AuthorFactory(name="Ada Okonkwo"), AuthorFactory(name="Sam Reyes")

    reader_context = browser.new_context(viewport={"width": 375, "height": 800})
    reader = reader_context.new_page()
    reader.goto(live_server.url + story.url)
    reader.locator("#live-heading").scroll_into_view_if_needed()
    scrolled = reader.evaluate("window.scrollY")
    assert reader.locator("[data-live-list] .live-update__headline").all_inner_texts() == ["Red carpet opens"]

    desks = [open_desk(browser, live_server, name, story) for name in ("wren", "wade")]
    fill_update(desks[0][1], "Best actress: Mara Quill", "A standing ovation.", ada)
    fill_update(desks[1][1], "Best drama: Night Ledger", "Streamline's first win.", sam)
    # Both press "Post update" at once: neither waits for the other.
    for _, page in desks:
        page.locator("button:has-text('Post update')").evaluate("button => button.click()")
    for _, page in desks:
        page.wait_for_url(f"**{ADMIN}/live/{story.pk}/")
        assert page.locator(".messages").inner_text().strip().startswith("Update posted")
    assert LiveUpdate.objects.filter(coverage=coverage).count() == 3

    notice = reader.locator("[data-live-notice] button")
    # A poll may fall between the two posts: the notice then counts one, and
    # the next poll makes it two.
    expect(notice).to_have_text("Show 2 new updates", timeout=15_000)
    expect(reader.locator("[data-live-announcer]")).to_have_text("2 new updates")
    # Nothing moved under the reader and nothing took their focus.
    assert reader.evaluate("window.scrollY") == scrolled
    assert reader.evaluate("document.activeElement === document.body")
    assert reader.locator("[data-live-list] .live-update__headline").all_inner_texts() == ["Red carpet opens"]

    notice.click()
    headlines = reader.locator("[data-live-list] .live-update__headline").all_inner_texts()
    assert sorted(headlines[:2]) == ["Best actress: Mara Quill", "Best drama: Night Ledger"]
    assert headlines[2] == "Red carpet opens"
    assert reader.locator("[data-live-notice]").is_hidden()

    results = Axe().run(reader, options=WCAG_22_AA)
    assert results.violations_count == 0, results.generate_report()
    for context, _ in desks:
        context.close()
    reader_context.close()
