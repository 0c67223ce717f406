"""The editorial workflow over HTTP through the real admin, with a real worker.

Writer drafts and submits; copy editor approves; editor requests changes;
writer revises and resubmits (review restarts at copy edit); both approve; the
story is live. Each notification is delivered once, by a Celery worker
process (over Redis in CI's service pass).
"""

from collections import Counter

from wagtail.models import WorkflowState

import pytest

from editorial.models import EditorialNotification
from editorial.newsroom import COPY_EDITORS, EDITORS, WRITERS, setup_newsroom
from news.models import ArticlePage
from tests.factories import (
    AuthorFactory,
    FranchiseTagFactory,
    SectionPageFactory,
    article_form_data,
    newsroom_users,
    workflow_action,
)
from tests.support.admin import ADMIN
from tests.support.mail import worker_mail
from tests.support.processes import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def article_form(title, author, body, action, page=None):
    return article_form_data(
        page, author=author, body=body, action=action, title=title, slug="night-ledger-season-two"
    )


@pytest.fixture
def newsroom(client):
    section = SectionPageFactory(title="News", slug="news")
    setup_newsroom()
    FranchiseTagFactory(name="Ironbound", slug="ironbound")
    people = newsroom_users(wren=WRITERS, other_writer=WRITERS, casey=COPY_EDITORS, eddie=EDITORS)
    author = AuthorFactory(name="Wren Writer", slug="wren-writer", email="wren.byline@talkies.test")
    return {"section": section, "author": author, **people}


def as_user(client, user):
    client.force_login(user)
    return client


def assert_refused(response):
    """Wagtail's admin answers a forbidden action with 403, or by sending the
    user back to the dashboard with a permission message."""
    assert response.status_code == 403 or (response.status_code == 302 and response["Location"] == f"{ADMIN}/"), (
        response.status_code,
        response.get("Location"),
    )


def test_story_goes_through_copy_edit_and_editor_approval(client, newsroom, worker):
    writer, copy_editor, editor = newsroom["wren"], newsroom["casey"], newsroom["eddie"]
    section, author = newsroom["section"], newsroom["author"]

    # The writer drafts and submits.
    response = as_user(client, writer).post(
        f"{ADMIN}/pages/add/news/articlepage/{section.pk}/",
        article_form("Night Ledger season two", author, "<p>First draft.</p>", "action-submit"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    story = ArticlePage.objects.get(slug="night-ledger-season-two")
    assert not story.live
    assert story.current_workflow_task.name == "Copy edit"

    # A writer cannot publish, approve, or get past the review.
    client.post(
        f"{ADMIN}/pages/{story.pk}/edit/",
        article_form("Night Ledger season two", author, "<p>Sneaky.</p>", "action-publish", page=story),
    )
    story.refresh_from_db()
    assert not story.live
    assert_refused(workflow_action(client, story, "approve"))
    assert story.current_workflow_task.name == "Copy edit"

    # Another writer cannot even open a colleague's story.
    as_user(client, newsroom["other_writer"])
    assert_refused(client.get(f"{ADMIN}/pages/{story.pk}/edit/"))

    # The copy editor approves with a note.
    as_user(client, copy_editor)
    assert workflow_action(client, story, "approve", "Tightened the lede.").status_code in (200, 302)
    story.refresh_from_db()
    assert story.current_workflow_task.name == "Editor approval"
    assert not story.live

    # A copy editor cannot act on the editor's step.
    assert_refused(workflow_action(client, story, "approve"))
    story.refresh_from_db()
    assert story.current_workflow_task.name == "Editor approval"

    # The editor requests changes.
    as_user(client, editor)
    assert workflow_action(client, story, "reject", "Needs a second source.").status_code in (200, 302)
    story.refresh_from_db()
    assert story.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert not story.live

    # The writer revises and resubmits: review starts again at copy edit.
    as_user(client, writer)
    response = client.post(
        f"{ADMIN}/pages/{story.pk}/edit/",
        article_form("Night Ledger season two", author, "<p>Now with two sources.</p>", "action-submit", page=story),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    story.refresh_from_db()
    assert story.current_workflow_task.name == "Copy edit"

    as_user(client, copy_editor)
    workflow_action(client, story, "approve")
    as_user(client, editor)
    workflow_action(client, story, "approve", "Good to go.")
    story.refresh_from_db()
    assert story.live
    assert "Now with two sources." in client.get(story.url).content.decode()

    # Every notification was delivered exactly once, by the worker.
    expected = Counter(
        {
            ("submitted", "casey@talkies.test"): 2,
            ("approved", "wren@talkies.test"): 3,
            ("submitted", "eddie@talkies.test"): 2,
            ("changes_requested", "wren@talkies.test"): 1,
            ("published", "wren.byline@talkies.test"): 1,
        }
    )

    def all_sent():
        rows = list(EditorialNotification.objects.values_list("event", "target", "status", "attempts"))
        return len(rows) == sum(expected.values()) and all(row[2] == "sent" for row in rows) and rows

    rows = wait_for(all_sent, timeout=90, message="every notification to be sent")
    assert Counter((event, target) for event, target, _, _ in rows) == expected
    assert all(attempts == 1 for *_, attempts in rows)

    mail = worker_mail(worker)
    sent = Counter((message["To"], message["Subject"]) for message in mail)
    logged = Counter(
        (target, f"[Talkies] {subject}")
        for target, subject in EditorialNotification.objects.values_list("target", "subject")
    )
    assert sent == logged
    rejection = next(m for m in mail if "Changes requested" in m["Subject"])
    assert "Needs a second source." in rejection.get_body(("plain",)).get_content()
    assert rejection.get_body(("html",)) is not None
    # Wagtail's own synchronous moderation emails are not sent as well.
    assert not [m for m in mail if "has been submitted for moderation" in str(m["Subject"])]
