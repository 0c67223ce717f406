"""Who can do what: every role tries every action, and the outcome must be
the one the README's "Who can do what" table documents.

The table is read from README.md, so the documentation and the behaviour
cannot drift apart. Each attempt goes through the admin or the site as that
role would, on objects made for that attempt, and "allowed" means the effect
happened (the story is live, the comment approved, the CSV holds the
address), not merely that a page answered 200. A refusal must be a refusal:
a 5xx counts as a failure whatever the table says.
"""

import datetime
import re
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from wagtail.models import PageViewRestriction, Revision

import pytest

from alerts.models import Follow, Follower
from comments.models import ReaderComment
from editorial.models import EditorialNotification, PlannedStory
from editorial.newsroom import COPY_EDITORS, EDITORS, WRITERS, setup_newsroom
from live.models import BreakingNewsBanner, LiveCoverage
from news.models import ArticlePage, FranchiseTag
from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    FranchiseTagFactory,
    LiveCoverageFactory,
    LiveUpdateFactory,
    SectionPageFactory,
    SeriesHubPageFactory,
    UserFactory,
    article_form_data,
    live_update_form_data,
    newsroom_users,
    series_index,
    workflow_action,
)
from tests.support.admin import ADMIN
from tests.support.processes import ROOT

pytestmark = pytest.mark.django_db

ROLES = ("anonymous reader", "writer", "another writer", "copy editor", "editor", "superuser")


def documented_matrix():
    """{action: {role: allowed}} from the README's table."""
    text = (ROOT / "README.md").read_text()
    table = text.split("<!-- permissions matrix -->", 1)[1].split("<!-- end permissions matrix -->", 1)[0]
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in table.strip().splitlines()]
    header, _rule, *body = rows
    assert tuple(header[1:]) == ROLES, header
    matrix = {}
    for action, *answers in body:
        assert set(answers) <= {"yes", "no"}, (action, answers)
        matrix[action] = dict(zip(ROLES, (answer == "yes" for answer in answers), strict=True))
    return matrix


MATRIX = documented_matrix()


@dataclass
class Newsroom:
    section: object
    tag: object
    users: dict

    def client_for(self, role):
        client = Client()
        if self.users.get(role) is not None:
            client.force_login(self.users[role])
        return client

    def draft(self, title="Matrix draft"):
        return ArticlePageFactory(
            parent=self.section, owner=self.users["writer"], live=False, title=title, tags=[self.tag]
        )

    def live_story(self):
        return ArticlePageFactory(parent=self.section, owner=self.users["writer"], tags=[self.tag])

    def in_review(self, *, past_copy_edit=False):
        """A draft the writer submitted; optionally already through copy edit."""
        story = self.draft()
        self.client_for("writer").post(
            f"{ADMIN}/pages/{story.pk}/edit/", article_form_data(story, action="action-submit")
        )
        if past_copy_edit:
            approve_current_step(self.client_for("copy editor"), story)
        story = ArticlePage.objects.get(pk=story.pk)
        assert story.current_workflow_task_state is not None
        return story


@pytest.fixture
def newsroom():
    section = SectionPageFactory(title="News", slug="news")
    series_index()
    setup_newsroom()
    users = newsroom_users(wren=WRITERS, will=WRITERS, casey=COPY_EDITORS, eddie=EDITORS)
    return Newsroom(
        section=section,
        tag=FranchiseTagFactory(name="Ironbound", slug="ironbound"),
        users={
            "anonymous reader": None,
            "writer": users["wren"],
            "another writer": users["will"],
            "copy editor": users["casey"],
            "editor": users["eddie"],
            "superuser": UserFactory(username="root", is_superuser=True, is_staff=True),
        },
    )


def fresh(story):
    return ArticlePage.objects.filter(pk=story.pk).first()


def latest_title(story):
    return Revision.page_revisions.filter(object_id=str(story.pk)).order_by("-created_at", "-pk")[0].content["title"]


def approve_current_step(client, story):
    story = fresh(story)
    state = story.current_workflow_task_state
    workflow_action(client, story, "approve")
    state.refresh_from_db()
    return state.status == "approved"


# Each attempt: (client, newsroom) -> did the action take effect?


def preview_draft(client, newsroom):
    story = newsroom.draft(title="Matrix draft preview")
    response = client.get(f"{ADMIN}/pages/{story.pk}/view_draft/")
    return response.status_code == 200 and b"Matrix draft preview" in response.content


def view_private_page(client, newsroom):
    story = ArticlePageFactory(parent=newsroom.section, title="Newsroom memo")
    restriction = PageViewRestriction.objects.create(page=story, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set(Group.objects.filter(name__in=[WRITERS, COPY_EDITORS, EDITORS]))
    response = client.get(story.url)
    return response.status_code == 200 and b"Newsroom memo" in response.content


def edit_draft(client, newsroom):
    story = newsroom.draft()
    client.post(f"{ADMIN}/pages/{story.pk}/edit/", article_form_data(story, title="Retitled by a colleague"))
    return latest_title(story) == "Retitled by a colleague"


def submit_for_review(client, newsroom):
    story = newsroom.draft()
    client.post(f"{ADMIN}/pages/{story.pk}/edit/", article_form_data(story, action="action-submit"))
    return fresh(story).current_workflow_state is not None


def approve_copy_edit(client, newsroom):
    return approve_current_step(client, newsroom.in_review())


def approve_editor_step(client, newsroom):
    return approve_current_step(client, newsroom.in_review(past_copy_edit=True))


def publish(client, newsroom):
    story = newsroom.draft()
    client.post(f"{ADMIN}/pages/{story.pk}/edit/", article_form_data(story, action="action-publish"))
    return fresh(story).live


def unpublish(client, newsroom):
    story = newsroom.live_story()
    client.post(f"{ADMIN}/pages/{story.pk}/unpublish/")
    return not fresh(story).live


def schedule(client, newsroom):
    story = newsroom.draft()
    go_live_at = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    client.post(
        f"{ADMIN}/pages/{story.pk}/edit/", article_form_data(story, action="action-publish", go_live_at=go_live_at)
    )
    return Revision.page_revisions.filter(object_id=str(story.pk), approved_go_live_at__isnull=False).exists()


def delete_published_story(client, newsroom):
    story = newsroom.live_story()
    client.post(f"{ADMIN}/pages/{story.pk}/delete/")
    return fresh(story) is None


def create_series_hub(client, newsroom):
    # The hub's form is the whole page editor; being let into it is the permission.
    response = client.get(f"{ADMIN}/pages/add/news/serieshubpage/{series_index().pk}/")
    return response.status_code == 200 and b'name="title"' in response.content


def create_franchise_tag(client, newsroom):
    client.post(f"{ADMIN}/snippets/news/franchisetag/add/", {"name": "Matrix Saga", "slug": "matrix-saga"})
    return FranchiseTag.objects.filter(slug="matrix-saga").exists()


def moderate_comments(client, newsroom):
    comment = ReaderComment.objects.create(
        page=newsroom.live_story(), name="Reader", email="reader@example.com", body="Waiting for a moderator."
    )
    client.post(f"{ADMIN}/bulk/comments/readercomment/approve/?next=/admin/&id={comment.pk}")
    comment.refresh_from_db()
    return comment.status == ReaderComment.Status.APPROVED


def read_notification_log(client, newsroom):
    EditorialNotification.objects.get_or_create(
        event_key="matrix",
        channel=EditorialNotification.Channel.EMAIL,
        target="wren@talkies.test",
        defaults={"event": "published", "page_title": "Matrix story", "subject": "Matrix story is live"},
    )
    response = client.get(f"{ADMIN}/editorial_notifications/")
    return response.status_code == 200 and b"Matrix story" in response.content


def export_followers(client, newsroom):
    hub = SeriesHubPageFactory(title="Matrix Files")
    follower = Follower.objects.create(email=f"fan-{hub.pk}@example.com", confirmed_at=timezone.now())
    Follow.objects.create(follower=follower, series=hub, confirmed_at=timezone.now())
    response = client.get(f"{ADMIN}/reader-alerts/followers-by-topic/export/?topic=series:{hub.pk}")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code == 200 and follower.email.encode() in body


def coverage_of(newsroom):
    return LiveCoverageFactory(page=newsroom.live_story())


def open_live_coverage(client, newsroom):
    story = newsroom.live_story()
    client.post(f"{ADMIN}/live/{story.pk}/", {"action": "open", "coverage-starts_at": "2026-01-01 18:00"})
    return LiveCoverage.objects.filter(page=story).exists()


def post_live_update(client, newsroom):
    coverage = coverage_of(newsroom)
    client.post(f"{ADMIN}/live/{coverage.page_id}/", live_update_form_data(headline="Matrix", author=AuthorFactory()))
    return coverage.updates.filter(headline="Matrix").exists()


def remove_the_writers_live_update(client, newsroom):
    update = LiveUpdateFactory(coverage=coverage_of(newsroom), posted_by=newsroom.users["writer"])
    client.post(f"{ADMIN}/live/updates/{update.pk}/change/", {"action": "remove"})
    update.refresh_from_db()
    return update.removed_at is not None


def put_up_a_banner(client, newsroom):
    data = {"text": "Matrix banner", "priority": "2", "starts_at": "2026-01-01 10:00", "expires_at": "2099-01-01"}
    client.post(f"{ADMIN}/snippets/live/breakingnewsbanner/add/", data)
    put_up = BreakingNewsBanner.objects.filter(text="Matrix banner").exists()
    BreakingNewsBanner.objects.all().delete()
    return put_up


def move_a_scheduled_story(client, newsroom):
    story = newsroom.draft()
    story.go_live_at = timezone.now() + datetime.timedelta(days=2)
    story.save_revision().publish()
    revision = Revision.page_revisions.get(object_id=str(story.pk), approved_go_live_at__isnull=False)
    later = (timezone.localtime() + datetime.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    client.post(f"{ADMIN}/calendar/move/{revision.pk}/", {"go_live_at": later})
    scheduled = Revision.page_revisions.filter(object_id=str(story.pk), approved_go_live_at__isnull=False)
    return scheduled.get().approved_go_live_at > timezone.now() + datetime.timedelta(days=4)


def plan_a_story(client, newsroom):
    data = {"working_title": "Matrix pitch", "section": newsroom.section.pk, "target_date": "2099-01-01"}
    client.post(f"{ADMIN}/planned_stories/new/", data)
    planned = PlannedStory.objects.filter(working_title="Matrix pitch").exists()
    PlannedStory.objects.all().delete()
    return planned


def see_a_storys_reads(client, newsroom):
    story = newsroom.live_story()
    response = client.get(f"{ADMIN}/reads/{story.pk}/")
    return response.status_code == 200 and b"reads-totals" in response.content


ATTEMPTS = {
    "preview the writer's draft": preview_draft,
    "view a private page": view_private_page,
    "edit the writer's draft": edit_draft,
    "submit it for review": submit_for_review,
    "approve the copy-edit step": approve_copy_edit,
    "approve the editor step": approve_editor_step,
    "publish": publish,
    "unpublish": unpublish,
    "schedule": schedule,
    "delete a published story": delete_published_story,
    "create a series hub": create_series_hub,
    "create a franchise tag": create_franchise_tag,
    "moderate comments": moderate_comments,
    "read the notification log": read_notification_log,
    "export followers": export_followers,
    "open a story for live coverage": open_live_coverage,
    "post a live update": post_live_update,
    "remove the writer's live update": remove_the_writers_live_update,
    "put up a breaking-news banner": put_up_a_banner,
    "move a scheduled story on the calendar": move_a_scheduled_story,
    "plan a story on the calendar": plan_a_story,
    "see a story's reads": see_a_storys_reads,
}


def test_every_documented_action_is_checked():
    assert set(ATTEMPTS) == set(MATRIX)


@pytest.mark.parametrize("action", list(MATRIX))
def test_each_role_gets_the_documented_answer(action, newsroom):
    observed = {}
    for role in ROLES:
        # The test client re-raises a view's exception, so a 500 fails the cell.
        client = newsroom.client_for(role)
        observed[role] = ATTEMPTS[action](client, newsroom)
        # Undo what an allowed attempt changed that the next role relies on.
        FranchiseTag.objects.filter(slug="matrix-saga").delete()
    expected = MATRIX[action]
    wrong = {role: ("allowed" if observed[role] else "refused") for role in ROLES if observed[role] != expected[role]}
    assert not wrong, f"{action!r}: documented {expected}, but {wrong}"


def test_refusals_are_4xx_or_a_redirect_never_a_server_error(newsroom):
    """What a refused role sees: the login page for anonymous readers, the
    dashboard with a message or a 403 for staff; never a 5xx."""
    story = newsroom.live_story()
    for role in ("anonymous reader", "writer", "copy editor"):
        client = newsroom.client_for(role)
        for path in (
            f"{ADMIN}/pages/{story.pk}/unpublish/",
            f"{ADMIN}/pages/{story.pk}/delete/",
            f"{ADMIN}/snippets/news/franchisetag/add/",
        ):
            response = client.post(path)
            assert response.status_code in (302, 403), (role, path, response.status_code)
            if role == "anonymous reader":
                assert re.match(rf"^{ADMIN}/login/\?next=", response["Location"])
    assert fresh(story).live
