"""Roles, the pre-publication checklist, and the editor's everyday tools."""

from django.core.management import call_command
from django.utils import timezone

from wagtail.models import GroupApprovalTask, GroupPagePermission, Workflow
from wagtail.test.utils.form_data import inline_formset, nested_form_data

import pytest
from lxml import html as lxml_html

from editorial.models import EditorialNotification
from editorial.newsroom import COPY_EDITORS, EDITORS, WRITERS, setup_newsroom
from news.models import ArticlePage
from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    SectionPageFactory,
    article_form_data,
    hours_ago,
    newsroom_users,
    series_index,
)
from tests.support.admin import ADMIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    section = SectionPageFactory(title="News", slug="news")
    setup_newsroom()
    return {"section": section, **newsroom_users(wren=WRITERS, casey=COPY_EDITORS, eddie=EDITORS)}


def refused(response):
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == f"{ADMIN}/")


def test_setup_newsroom_is_idempotent():
    call_command("setup_newsroom", verbosity=0)
    call_command("setup_newsroom", verbosity=0)
    workflow = Workflow.objects.get(name="Editorial review")
    assert [task.name for task in workflow.tasks] == ["Copy edit", "Editor approval"]
    assert [group.name for group in GroupApprovalTask.objects.get(name="Copy edit").groups.all()] == ["Copy editors"]
    assert Workflow.objects.filter(name="Editorial review").count() == 1
    assert GroupApprovalTask.objects.filter(name__in=["Copy edit", "Editor approval"]).count() == 2


def test_writers_cannot_publish_delete_or_manage_hubs_and_tags(client, people):
    story = ArticlePageFactory(parent=people["section"], owner=people["wren"])
    client.force_login(people["wren"])
    assert client.get(f"{ADMIN}/pages/add/news/articlepage/{people['section'].pk}/").status_code == 200
    assert client.get(f"{ADMIN}/pages/{story.pk}/edit/").status_code == 200
    assert refused(client.post(f"{ADMIN}/pages/{story.pk}/unpublish/"))
    assert refused(client.post(f"{ADMIN}/pages/{story.pk}/delete/"))
    assert ArticlePage.objects.get(pk=story.pk).live
    assert refused(client.get(f"{ADMIN}/pages/add/news/serieshubpage/{series_index().pk}/"))
    assert refused(client.get(f"{ADMIN}/snippets/news/franchisetag/add/"))
    assert refused(client.get(f"{ADMIN}/editorial_notifications/"))


def test_copy_editors_edit_any_story_but_do_not_publish(client, people):
    story = ArticlePageFactory(parent=people["section"], owner=people["wren"])
    client.force_login(people["casey"])
    assert client.get(f"{ADMIN}/pages/{story.pk}/edit/").status_code == 200
    assert refused(client.post(f"{ADMIN}/pages/{story.pk}/unpublish/"))


def test_editors_unpublish_delete_and_manage_hubs_tags_and_authors(client, people):
    story = ArticlePageFactory(parent=people["section"], owner=people["wren"])
    client.force_login(people["eddie"])
    assert client.get(f"{ADMIN}/pages/add/news/serieshubpage/{series_index().pk}/").status_code == 200
    assert client.get(f"{ADMIN}/snippets/news/franchisetag/add/").status_code == 200
    assert client.get(f"{ADMIN}/snippets/news/author/add/").status_code == 200
    assert client.get(f"{ADMIN}/editorial_notifications/").status_code == 200
    assert client.post(f"{ADMIN}/pages/{story.pk}/unpublish/").status_code == 302
    assert not ArticlePage.objects.get(pk=story.pk).live
    assert client.post(f"{ADMIN}/pages/{story.pk}/delete/").status_code == 302
    assert not ArticlePage.objects.filter(pk=story.pk).exists()


def checklist_form(story, **fields):
    """The edit form with everything the checklist asks for left out."""
    return article_form_data(story, standfirst="", franchise_tags="", hero_image="", **fields)


def test_checklist_warns_before_go_live_and_editors_can_override(client, people):
    story = ArticlePageFactory(parent=people["section"], title="Unfinished", live=False)
    client.force_login(people["eddie"])

    # Saving a draft is always fine.
    assert client.post(f"{ADMIN}/pages/{story.pk}/edit/", checklist_form(story)).status_code == 302

    response = client.post(f"{ADMIN}/pages/{story.pk}/edit/", checklist_form(story, **{"action-publish": "1"}))
    assert response.status_code == 200
    assert "a standfirst" in response.content.decode() and "at least one franchise tag" in response.content.decode()
    assert not ArticlePage.objects.get(pk=story.pk).live

    response = client.post(
        f"{ADMIN}/pages/{story.pk}/edit/",
        checklist_form(story, **{"action-publish": "1", "publish_despite_checklist": "on"}),
    )
    assert response.status_code == 302
    assert ArticlePage.objects.get(pk=story.pk).live


def test_byline_listing_an_author_twice_is_a_clear_error(client, people):
    author = AuthorFactory(name="Niko Parrish")
    story = ArticlePageFactory(parent=people["section"], authors=[author], live=False)
    client.force_login(people["eddie"])
    data = checklist_form(story)
    data.update(nested_form_data({"article_authors": inline_formset([{"author": author.pk}, {"author": author.pk}])}))
    response = client.post(f"{ADMIN}/pages/{story.pk}/edit/", data)
    assert response.status_code == 200
    assert "Niko Parrish is listed twice" in response.content.decode()


def test_revisions_compare_rollback_lock_and_preview(client, people):
    story = ArticlePageFactory(parent=people["section"], title="First headline", standfirst="First standfirst")
    first_revision = story.latest_revision
    story.title = "Second headline"
    story.save_revision(user=people["eddie"]).publish()
    client.force_login(people["eddie"])

    history = client.get(f"{ADMIN}/pages/{story.pk}/history/")
    assert history.status_code == 200
    compare = client.get(f"{ADMIN}/pages/{story.pk}/revisions/compare/{first_revision.pk}...latest/")
    assert compare.status_code == 200
    assert "First" in compare.content.decode() and "Second" in compare.content.decode()
    revert = client.get(f"{ADMIN}/pages/{story.pk}/revisions/{first_revision.pk}/revert/")
    assert revert.status_code == 200 and "First headline" in revert.content.decode()

    # Preview renders unsaved edits with the reader template.
    preview_url = f"{ADMIN}/pages/{story.pk}/edit/preview/"
    posted = client.post(preview_url, article_form_data(story, title="Unsaved headline"))
    assert posted.json()["is_valid"]
    preview = client.get(preview_url, {"mode": ""})
    assert preview.status_code == 200
    assert "Unsaved headline" in lxml_html.fromstring(preview.content).xpath("string(//h1)")
    assert "Second headline" in client.get(f"{ADMIN}/pages/{story.pk}/view_draft/").content.decode()

    assert client.post(f"{ADMIN}/pages/{story.pk}/lock/").status_code == 302
    story.refresh_from_db()
    assert story.locked and story.locked_by == people["eddie"]
    client.force_login(people["casey"])
    edit = client.get(f"{ADMIN}/pages/{story.pk}/edit/")
    assert "locked" in edit.content.decode().lower()


def test_in_editor_comments_are_saved(client, people):
    story = ArticlePageFactory(parent=people["section"], title="Commented story", standfirst="A standfirst")
    client.force_login(people["casey"])
    data = article_form_data(story)
    data.update(
        nested_form_data(
            {
                "comments": inline_formset(
                    [
                        {
                            "contentpath": "title",
                            "text": "Is this headline too long?",
                            "position": "",
                            "replies": inline_formset([]),
                        }
                    ]
                )
            }
        )
    )
    response = client.post(f"{ADMIN}/pages/{story.pk}/edit/", data)
    assert response.status_code == 302, [
        line for line in response.content.decode().splitlines() if "error" in line.lower()
    ][:20]
    from wagtail.models import Comment

    assert Comment.objects.filter(page=story, text="Is this headline too long?").exists()


def test_dashboard_shows_the_newsroom_panels(client, people):
    ArticlePageFactory(parent=people["section"], title="Wren's draft", owner=people["wren"], live=False)
    ArticlePageFactory(parent=people["section"], title="Fresh on the site")
    client.force_login(people["wren"])
    page = client.get(f"{ADMIN}/").content.decode()
    for heading in (
        "Awaiting my review",
        "My drafts",
        "Scheduled",
        "Recently published",
        "Stories published per day, last 30 days",
    ):
        assert heading in page
    assert "Wren&#x27;s draft" in page or "Wren's draft" in page
    assert "Fresh on the site" in page
    assert "<svg" in page


def test_dashboard_shows_each_person_only_the_pages_they_may_see(client, people):
    """A section closed to writers: its scheduled, late and published
    stories appear on the editors' dashboard only, and the chart counts
    stories that are live, whoever reads it."""
    legal = SectionPageFactory(title="Legal", slug="legal")
    GroupPagePermission.objects.filter(page=legal).exclude(group__name=EDITORS).delete()
    soon = timezone.now() + timezone.timedelta(hours=3)
    for section, title in ((people["section"], "Premiere night plan"), (legal, "Settlement reveal")):
        story = ArticlePageFactory(parent=section, title=title, live=False)
        story.go_live_at = soon
        story.save_revision().publish()
    ArticlePageFactory(parent=people["section"], title="Fresh on the site", published_at=hours_ago(1))
    ArticlePageFactory(parent=legal, title="Court filing story", published_at=hours_ago(2))
    ArticlePageFactory(parent=people["section"], title="Pulled story", published_at=hours_ago(3)).unpublish()

    chart = "//*[@id='published-per-day-content']"

    def dashboard(user):
        client.force_login(user)
        tree = lxml_html.fromstring(client.get(f"{ADMIN}/").content)
        return {
            "scheduled": [text.strip() for text in tree.xpath("//*[@id='scheduled-content']//li/a/text()")],
            "published": [text.strip() for text in tree.xpath("//*[@id='recently-published-content']//td/a/text()")],
            "chart": sum(int(bar.split(": ")[1]) for bar in tree.xpath(f"{chart}//rect/title/text()")),
        }

    assert dashboard(people["wren"]) == {
        "scheduled": ["Premiere night plan"],
        "published": ["Fresh on the site"],
        "chart": 1,
    }
    assert dashboard(people["eddie"]) == {
        "scheduled": ["Premiere night plan", "Settlement reveal"],
        "published": ["Fresh on the site", "Court filing story"],
        "chart": 2,
    }


def test_notification_log_is_browsable_by_editors(client, people):
    story = ArticlePageFactory(parent=people["section"], title="Logged story")
    EditorialNotification.objects.create(
        event="published",
        event_key="published:9",
        channel="email",
        target="ada@talkies.test",
        page=story,
        page_title=story.title,
        subject="Published: Logged story",
        status="sent",
        attempts=1,
    )
    client.force_login(people["eddie"])
    listing = client.get(f"{ADMIN}/editorial_notifications/", {"status": "sent"})
    assert listing.status_code == 200 and "Logged story" in listing.content.decode()
    assert (
        refused(client.get(f"{ADMIN}/editorial_notifications/new/"))
        or client.get(f"{ADMIN}/editorial_notifications/new/").status_code == 404
    )
