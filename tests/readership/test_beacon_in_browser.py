"""The beacon in Chromium, through the real Varnish: the story page stays
cached at the edge, and every reader's read still reaches the app."""

import pytest

from readership.models import StoryReadHour
from readership.tasks import roll_up_reads
from tests.factories import ArticlePageFactory, SectionPageFactory, home_page
from tests.support.http import fetch
from tests.support.processes import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AGENTS = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
]


def reads_of(story):
    roll_up_reads()  # what beat runs every minute; nothing to do without Redis
    return sum(StoryReadHour.objects.filter(page=story).values_list("reads", flat=True))


def test_readers_of_a_page_cached_at_the_edge_are_counted_once_each(browser, varnish, page_cache_on, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    home_page()
    story = ArticlePageFactory(parent=SectionPageFactory(slug="news"), title="Night Ledger renewed")
    fetch(varnish + story.url)
    assert fetch(varnish + story.url)[1]["X-Edge-Cache"] == "hit"

    for agent in AGENTS:
        context = browser.new_context(user_agent=agent)
        page = context.new_page()
        page.goto(varnish + story.url)
        page.reload()  # the same reader again: not counted twice
        page.wait_for_load_state("load")
        context.close()
    wait_for(lambda: reads_of(story) == 2, timeout=20, message="two reads counted")
    assert fetch(varnish + story.url)[1]["X-Edge-Cache"] == "hit"  # the page was never purged or passed

    # A browser without JavaScript is counted through the image.
    context = browser.new_context(java_script_enabled=False, user_agent=AGENTS[0].replace("131", "99"))
    context.new_page().goto(varnish + story.url)
    context.close()
    wait_for(lambda: reads_of(story) == 3, timeout=20, message="the no-script read counted")
