"""Reader comments: the form and its spam layers, moderation, what readers see."""

import time

from django.core import mail, signing
from django.test import Client

import pytest
from lxml import html as lxml_html

from comments.forms import FORM_STARTED_SALT
from comments.models import ReaderComment
from comments.tasks import check_reader_comment
from editorial.newsroom import EDITORS, WRITERS, setup_newsroom
from tests.factories import ArticlePageFactory, AuthorFactory, SectionPageFactory, hours_ago, newsroom_users
from tests.support.admin import ADMIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    author = AuthorFactory(name="Ada Okonkwo", email="ada@talkies.test")
    return ArticlePageFactory(
        parent=SectionPageFactory(slug="news"),
        title="Night Ledger renewed",
        authors=[author],
        published_at=hours_ago(2),
    )


def started(seconds_ago=10):
    return signing.dumps(time.time() - seconds_ago, salt=FORM_STARTED_SALT)


def comment_data(**changes):
    data = {
        "name": "Sam Reader",
        "email": "sam@example.com",
        "body": "Season two was better than I expected.",
        "parent": "",
        "website": "",
        "started": started(),
    }
    data.update(changes)
    return data


def post_comment(client, story, **changes):
    return client.post(
        f"/comments/{story.pk}/", comment_data(**changes), REMOTE_ADDR=changes.pop("ip", "198.51.100.7")
    )


def errors(response):
    tree = lxml_html.fromstring(response.content)
    return " ".join(tree.xpath("//*[@role='alert']//text()"))


def comments_on(client, story):
    tree = lxml_html.fromstring(client.get(story.url).content)
    return [" ".join(text.split()) for text in tree.xpath("//li[@class='comment']/div[@class='comment__body']/text()")]


def test_a_comment_waits_for_moderation_then_appears_and_the_author_hears(
    client, story, settings, django_capture_on_commit_callbacks
):
    form_page = client.get(f"/comments/{story.pk}/")
    assert form_page.status_code == 200 and b"csrfmiddlewaretoken" in form_page.content
    with django_capture_on_commit_callbacks() as callbacks:
        response = post_comment(client, story)
    assert response.status_code == 302 and response["Location"].endswith("?sent=1")
    assert len(callbacks) == 1  # the spam check, queued for Celery after commit
    comment = ReaderComment.objects.get()
    assert (comment.status, comment.user_ip) == ("pending", "198.51.100.7")
    assert comments_on(client, story) == []

    check_reader_comment.apply(args=[comment.pk])
    comment.refresh_from_db()
    assert comment.status == "pending" and comment.spam_checked_at and comment.user_ip is None

    from comments.moderation import approve

    with django_capture_on_commit_callbacks(execute=True):
        approve([comment])
    assert comments_on(client, story) == ["Season two was better than I expected."]
    from editorial.models import EditorialNotification
    from editorial.tasks import deliver_editorial_notification

    notification = EditorialNotification.objects.get(event="comment_approved")
    deliver_editorial_notification.apply(args=[notification.pk])
    assert mail.outbox[-1].to == ["ada@talkies.test"]
    assert "Night Ledger renewed" in mail.outbox[-1].subject


def test_a_trusted_address_is_approved_after_the_spam_check(client, story):
    ReaderComment.objects.create(page=story, name="Sam", email="SAM@example.com", body="First.", status="approved")
    post_comment(client, story, body="Second thoughts.")
    comment = ReaderComment.objects.get(body="Second thoughts.")
    check_reader_comment.apply(args=[comment.pk])
    comment.refresh_from_db()
    assert comment.status == "approved"
    check_reader_comment.apply(args=[comment.pk])  # a redelivered task changes nothing
    assert ReaderComment.objects.approved().count() == 2


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"website": "http://spam.example"}, "could not be accepted"),
        ({"started": "just now"}, "That was quick"),
        ({"started": "forged"}, "expired"),
        ({"body": "see http://a.example http://b.example http://c.example"}, "at most 2 links"),
        ({"email": "not-an-address"}, "email address like"),
        ({"body": "x" * 1_000_000}, "up to 5000 characters"),
        ({"body": "   "}, "required"),
    ],
)
def test_each_layer_refuses_with_a_clear_message_and_keeps_what_was_typed(client, story, changes, message):
    if changes.get("started") == "just now":
        changes = {"started": started(seconds_ago=0)}
    response = post_comment(client, story, **changes)
    assert response.status_code == 400
    assert message in errors(response)
    assert ReaderComment.objects.count() == 0
    kept = changes.get("body", "Season two was better than I expected.")
    if kept.strip():
        assert kept.encode() in response.content
    assert b"Sam Reader" in response.content


def test_the_rate_limit_counts_every_attempt_from_an_address(client, story, settings):
    settings.COMMENT_RATE_LIMIT = 2
    assert post_comment(client, story, body="One.").status_code == 302
    assert post_comment(client, story, body="Two.").status_code == 302
    response = post_comment(client, story, body="Three.")
    assert response.status_code == 429 and "several comments" in errors(response)
    assert b"Three." in response.content
    assert post_comment(client, story, body="From elsewhere.", ip="203.0.113.9").status_code == 302
    assert ReaderComment.objects.count() == 3


def test_spam_goes_to_the_spam_folder_by_the_projects_own_rules(client, story):
    post_comment(client, story, body="CHEAP CASINO BONUS FOR EVERYONE, TRUST ME NOW")
    comment = ReaderComment.objects.get()
    check_reader_comment.apply(args=[comment.pk])
    comment.refresh_from_db()
    assert (comment.status, comment.spam_reason) == ("spam", "spam phrase")


def test_an_akismet_compatible_service_decides_when_configured(client, story, settings, local_http_server):
    settings.AKISMET_API_KEY = "test-key"
    settings.AKISMET_URL = f"{local_http_server.url}/1.1/comment-check"
    local_http_server.routes["/1.1/comment-check"] = (200, "text/plain", "true")
    post_comment(client, story, body="A perfectly polite comment.")
    comment = ReaderComment.objects.get()
    check_reader_comment.apply(args=[comment.pk])
    comment.refresh_from_db()
    assert (comment.status, comment.spam_reason) == ("spam", "spam service")
    method, path, body = local_http_server.requests[-1]
    assert (method, path) == ("POST", "/1.1/comment-check")
    assert b"comment_content=A+perfectly+polite+comment." in body and b"user_ip=198.51.100.7" in body

    # The service cannot judge (a bad key answers "invalid"): the task retries
    # with backoff (run eagerly here, so at once) and then gives up, leaving
    # the comment in the moderation queue.
    local_http_server.routes["/1.1/comment-check"] = (200, "text/plain", "invalid")
    before = len(local_http_server.requests)
    post_comment(client, story, body="Another one.")
    other = ReaderComment.objects.get(body="Another one.")
    check_reader_comment.apply(args=[other.pk])
    assert len(local_http_server.requests) - before == check_reader_comment.max_retries + 1
    other.refresh_from_db()
    assert (other.status, other.spam_checked_at) == ("pending", None)


def test_script_and_html_are_shown_as_text(client, story):
    ReaderComment.objects.create(
        page=story, name="<b>Bold</b>", email="x@example.com", body="<script>alert(1)</script>", status="approved"
    )
    page = client.get(story.url).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Bold&lt;/b&gt;" in page


def test_drafts_unknown_pages_and_closed_comments(client, story, settings):
    draft = ArticlePageFactory(parent=story.get_parent(), live=False)
    assert client.get(f"/comments/{draft.pk}/").status_code == 404
    assert post_comment(client, draft).status_code == 404
    assert client.get("/comments/999999/").status_code == 404

    story.comments_open = False
    story.save_revision().publish()
    assert "Comments are closed" in client.get(f"/comments/{story.pk}/").content.decode()
    assert post_comment(client, story).status_code == 403
    story.comments_open = True
    story.save_revision().publish()
    settings.COMMENTS_CLOSE_AFTER_DAYS = 1
    story.first_published_at = hours_ago(48)
    story.save()
    assert post_comment(client, story).status_code == 403
    assert ReaderComment.objects.count() == 0


def test_a_missing_csrf_token_is_refused(story):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/comments/{story.pk}/", comment_data())
    assert response.status_code == 403
    assert ReaderComment.objects.count() == 0


def test_replies_go_one_level_deep_under_approved_comments(client, story):
    top = ReaderComment.objects.create(page=story, name="Ann", email="a@example.com", body="Top.", status="approved")
    pending = ReaderComment.objects.create(page=story, name="Bo", email="b@example.com", body="Pending.")
    assert post_comment(client, story, parent=str(pending.pk)).status_code == 400
    assert post_comment(client, story, parent=str(top.pk), body="A reply.").status_code == 302
    reply = ReaderComment.objects.get(body="A reply.")
    assert reply.parent == top
    reply.status = "approved"
    reply.save()
    assert comments_on(client, story) == ["Top.", "A reply."]


def test_comments_page_oldest_first_in_a_fixed_number_of_queries(
    client, story, settings, django_assert_max_num_queries
):
    settings.COMMENTS_PER_PAGE = 20
    comments = [
        ReaderComment(
            page=story, name=f"Reader {n}", email=f"r{n}@example.com", body=f"Comment {n}.", status="approved"
        )
        for n in range(200)
    ]
    ReaderComment.objects.bulk_create(comments)
    for comment, minutes in zip(ReaderComment.objects.order_by("pk"), range(200), strict=True):
        ReaderComment.objects.filter(pk=comment.pk).update(created_at=hours_ago(400 - minutes))
    client.get(story.url)
    with django_assert_max_num_queries(15):
        first = client.get(story.url)
    assert "200 comments" in first.content.decode()
    assert comments_on(client, story)[:2] == ["Comment 0.", "Comment 1."]
    page_ten = lxml_html.fromstring(client.get(story.url, {"page": 10}).content)
    assert page_ten.xpath("//li[@class='comment']/div/text()")[-1] == "Comment 199."
    assert client.get(story.url, {"page": 11}).status_code == 404


def test_moderators_approve_and_mark_spam_in_bulk_and_writers_cannot(client, story):
    setup_newsroom()
    people = newsroom_users(eddie=EDITORS, wren=WRITERS)
    pending = [
        ReaderComment.objects.create(page=story, name=f"R{n}", email=f"r{n}@example.com", body=f"Body {n}.")
        for n in range(3)
    ]
    client.force_login(people["wren"])
    assert client.get(f"{ADMIN}/snippets/comments/readercomment/").status_code in (302, 403)
    response = client.post(
        f"{ADMIN}/bulk/comments/readercomment/approve/?next=/admin/&id=" + str(pending[0].pk), {"id": [pending[0].pk]}
    )
    assert ReaderComment.objects.approved().count() == 0

    client.force_login(people["eddie"])
    listing = client.get(f"{ADMIN}/snippets/comments/readercomment/", {"status": "pending"})
    assert listing.status_code == 200 and b"Body 1." in listing.content
    menu = client.get(f"{ADMIN}/").content.decode()
    assert "Reader comments (3)" in menu
    ids = "&".join(f"id={comment.pk}" for comment in pending[:2])
    response = client.post(f"{ADMIN}/bulk/comments/readercomment/approve/?next=/admin/&{ids}")
    assert response.status_code == 302
    assert set(ReaderComment.objects.approved().values_list("body", flat=True)) == {"Body 0.", "Body 1."}
    client.post(f"{ADMIN}/bulk/comments/readercomment/mark_spam/?next=/admin/&id={pending[2].pk}")
    assert ReaderComment.objects.get(pk=pending[2].pk).status == "spam"
    assert comments_on(client, story) == ["Body 0.", "Body 1."]

    # A writer given the permission may moderate.
    from django.contrib.auth.models import Permission

    wren = people["wren"]
    wren.user_permissions.add(
        *Permission.objects.filter(codename__in=["moderate_readercomment", "view_readercomment"])
    )
    client.force_login(wren)
    assert client.get(f"{ADMIN}/snippets/comments/readercomment/").status_code == 200
    client.post(f"{ADMIN}/bulk/comments/readercomment/approve/?next=/admin/&id={pending[2].pk}")
    assert ReaderComment.objects.get(pk=pending[2].pk).status == "approved"

    client.force_login(people["eddie"])
    client.post(f"{ADMIN}/bulk/comments/readercomment/delete/?next=/admin/&id={pending[0].pk}")
    assert not ReaderComment.objects.filter(pk=pending[0].pk).exists()
    assert comments_on(client, story) == ["Body 1.", "Body 2."]


def test_anonymous_readers_never_see_pending_or_spam_comments(client, story):
    ReaderComment.objects.create(page=story, name="A", email="a@example.com", body="Waiting.")
    ReaderComment.objects.create(page=story, name="B", email="b@example.com", body="Junk.", status="spam")
    page = client.get(story.url).content.decode()
    assert "Waiting." not in page and "Junk." not in page


def test_story_cards_show_the_number_of_approved_comments(client, story):
    for n in range(3):
        ReaderComment.objects.create(page=story, name="A", email=f"a{n}@example.com", body="Yes.", status="approved")
    ReaderComment.objects.create(page=story, name="B", email="b@example.com", body="Waiting.")
    section = lxml_html.fromstring(client.get(story.get_parent().url).content)
    assert (
        section.xpath("string(//article[contains(@class, 'card')]//a[contains(@href, '#comments')])") == "3 comments"
    )
