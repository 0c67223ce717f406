"""The writer → copy editor → editor path, clicked through the real admin in Chromium."""

import re

import pytest

from editorial.newsroom import COPY_EDITORS, EDITORS, WRITERS, setup_newsroom
from news.models import ArticlePage
from tests.factories import ArticlePageFactory, FranchiseTagFactory, SectionPageFactory, newsroom_users
from tests.support.admin import ADMIN
from tests.support.browser import sign_in

APPROVE = re.compile(r"^\s*Approve( and Publish)?\s*$")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    sign_in(page, live_server, username)
    return context, page


def test_writer_submits_and_reviewers_approve_in_the_admin(browser, live_server):
    section = SectionPageFactory(title="News", slug="news")
    setup_newsroom()
    users = newsroom_users(wren=WRITERS, casey=COPY_EDITORS, eddie=EDITORS)
    story = ArticlePageFactory(
        parent=section, title="Draft headline", owner=users["wren"], live=False, tags=[FranchiseTagFactory()]
    )
    edit_url = f"{live_server.url}{ADMIN}/pages/{story.pk}/edit/"

    context, page = log_in(browser, live_server, "wren")
    page.goto(edit_url)
    page.fill("#id_title", "Night Ledger starts filming")
    page.get_by_role("button", name="More actions").click()
    assert not page.get_by_role("button", name="Publish").count()  # writers cannot publish
    page.get_by_role("button", name="Submit to Editorial review").click()
    page.wait_for_url(f"{live_server.url}{ADMIN}/pages/{section.pk}/")
    context.close()
    story.refresh_from_db()
    assert story.current_workflow_task.name == "Copy edit"

    for reviewer, next_task in (("casey", "Editor approval"), ("eddie", None)):
        context, page = log_in(browser, live_server, reviewer)
        page.goto(edit_url)
        page.get_by_role("button", name="More actions").click()
        # The last step's button reads "Approve and Publish".
        page.locator("footer button").filter(has_text=APPROVE).click()
        page.wait_for_load_state("networkidle")
        context.close()
        story = ArticlePage.objects.get(pk=story.pk)
        if next_task:
            assert story.current_workflow_task.name == next_task
            assert not story.live

    assert story.live
    assert story.title == "Night Ledger starts filming"
