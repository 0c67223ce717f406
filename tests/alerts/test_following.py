"""Following a series or franchise: the reader's forms and links, the
outbox of stories readers first see, the fan-out and the digest (tasks run in this
process; tests/alerts/test_alert_worker.py drives a real worker)."""

import csv
import io
from datetime import timedelta

from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest

from alerts import tokens
from alerts.models import AlertDelivery, ArticleAlert, DigestDelivery, Follow, Follower
from alerts.tasks import digest_window, send_daily_digests
from news.models import ArticlePage
from tests.alerts.conftest import confirm, follow, links_in
from tests.factories import ArticlePageFactory, SectionPageFactory, UserFactory, newsroom_users
from tests.support.admin import ADMIN

# Transactional: confirmation mail and alerts leave on commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def confirmed_follower(client, email, *topics, frequency="instant"):
    follow(client, email, *topics, frequency=frequency)
    confirm(client, mail.outbox[-1])
    mail.outbox.clear()
    return Follower.objects.get(email=email)


def test_hub_franchise_and_story_pages_offer_to_follow(client, hub, tag):
    story = ArticlePageFactory(series=hub, tags=[tag])
    assert 'action="/follow/"' in client.get(hub.url).content.decode()
    assert f'name="franchise" value="{tag.pk}"' in client.get(f"/franchises/{tag.slug}/").content.decode()
    page = client.get(f"/follow/?story={story.pk}&email=ada@example.com").content.decode()
    assert f'value="series:{hub.pk}"' in page and f'value="franchise:{tag.pk}"' in page
    assert 'value="ada@example.com"' in page


def test_subscribe_confirm_and_the_same_answer_for_a_known_address(client, hub, celery_eager):
    response = follow(client, "Ada@Example.com", hub)
    assert response.status_code == 302 and response["Location"] == "/follow/?sent=1"
    (message,) = mail.outbox
    assert message.to == ["ada@example.com"]
    assert "Night Ledger" in message.body and message.alternatives[0][1] == "text/html"
    assert not Follow.objects.confirmed().exists()

    (path,) = links_in(message, "/follow/confirm/")
    assert client.get(path).status_code == 200  # a button, so link scanners subscribe nobody
    assert not Follow.objects.confirmed().exists()
    response = client.post(path)
    assert response.status_code == 302 and "/follow/manage/" in response["Location"]
    assert Follow.objects.confirmed().get().series_id == hub.pk

    # A second request for the address (known, confirmed) looks exactly the same.
    again = follow(client, "ada@example.com", hub)
    stranger = follow(client, "someone.new@example.com", hub)
    assert (again.status_code, again["Location"]) == (stranger.status_code, stranger["Location"])
    assert Follow.objects.filter(follower__email="ada@example.com").count() == 1


def test_bad_input_gets_clear_messages_and_keeps_what_was_typed(client, hub):
    overlong = "a" * 250 + "@example.com"
    for email, expected in [
        ("not-an-address", "Enter an email address like name@example.com."),
        (overlong, "at most 254 characters"),
        ("", "This field is required."),
    ]:
        response = follow(client, email, hub)
        assert response.status_code == 400
        assert expected in response.content.decode()
        assert f'value="series:{hub.pk}"' in response.content.decode()
    response = client.post(
        "/follow/", {"email": "ada@example.com", "topics": ["series:999999", "nonsense", "x" * 500]}
    )
    assert response.status_code == 400
    assert "That series or franchise is not available." in response.content.decode()
    assert 'value="ada@example.com"' in response.content.decode()
    response = follow(client, "bot@example.com", hub, website="http://spam.example")
    assert response.status_code == 400 and not Follower.objects.exists()
    assert client.get("/follow/?series=abc&franchise=99999999999999999999").status_code == 404


def test_repeated_requests_create_nothing_twice_and_mail_is_capped(client, hub, tag, celery_eager, settings):
    for _ in range(6):
        assert follow(client, "ada@example.com", hub, tag).status_code == 302
    assert Follower.objects.count() == 1
    assert Follow.objects.count() == 2
    assert len(mail.outbox) == settings.ALERT_CONFIRMATIONS_PER_ADDRESS


def test_follow_requests_are_rate_limited_per_address_of_the_reader(client, hub, settings):
    settings.ALERT_FOLLOW_RATE_LIMIT = 3
    statuses = [follow(client, f"reader{n}@example.com", hub).status_code for n in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    response = follow(client, "late@example.com", hub)
    assert "Please wait a few minutes" in response.content.decode()
    assert 'value="late@example.com"' in response.content.decode()


def test_tampered_and_expired_links_are_refused_clearly(client, hub, celery_eager, settings):
    follow(client, "ada@example.com", hub)
    (path,) = links_in(mail.outbox[0], "/follow/confirm/")
    tampered = path[:-3] + ("x" if path[-3] != "x" else "y") + path[-2:]
    response = client.post(tampered)
    assert response.status_code == 400 and "This link is not valid" in response.content.decode()
    settings.ALERT_CONFIRMATION_MAX_AGE = -1
    assert client.post(path).status_code == 400
    assert client.get("/follow/manage/garbage/").status_code == 400
    assert client.post("/follow/unsubscribe/" + "A" * 300 + "/").status_code == 400
    assert not Follow.objects.confirmed().exists()
    # A token for one purpose does not work for another.
    follower = Follower.objects.get()
    manage_token = tokens.make_token(follower, tokens.MANAGE)
    assert client.post(f"/follow/confirm/{manage_token}/").status_code == 400
    # Rotating the key voids links already sent.
    follower.token_key = "rotated"
    follower.save()
    assert client.get(f"/follow/manage/{manage_token}/").status_code == 400
    assert signing.loads(manage_token, salt=tokens.MANAGE)[0] == follower.pk


def test_preferences_page_changes_topics_frequency_and_unsubscribes(client, hub, tag, celery_eager):
    follower = confirmed_follower(client, "ada@example.com", hub, tag)
    manage = f"/follow/manage/{tokens.make_token(follower, tokens.MANAGE)}/"
    page = client.get(manage).content.decode()
    assert "Night Ledger" in page and "Ironbound" in page
    franchise_follow = follower.follows.get(franchise=tag)
    response = client.post(manage, {"topics": [str(franchise_follow.pk)], "frequency": "daily"})
    assert response.status_code == 302
    follower.refresh_from_db()
    assert follower.frequency == "daily"
    assert [follow.franchise_id for follow in follower.follows.all()] == [tag.pk]
    response = client.post(manage, {"unsubscribe_all": "1"})
    assert "You are unsubscribed" in response.content.decode()
    follower.refresh_from_db()
    assert follower.unsubscribed_at and not follower.follows.exists()


def test_one_click_unsubscribe_needs_no_csrf_token(hub, celery_eager):
    reader = Client(enforce_csrf_checks=True)
    follower = confirmed_follower(Client(), "ada@example.com", hub)
    path = f"/follow/unsubscribe/{tokens.make_token(follower, tokens.MANAGE)}/"
    assert "Unsubscribe from all alerts" in reader.get(path).content.decode()
    response = reader.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert not Follow.objects.exists()
    # The other forms keep their CSRF protection.
    assert reader.post("/follow/", {"email": "x@example.com", "topics": [f"series:{hub.pk}"]}).status_code == 403


def test_an_edit_or_a_republish_never_alerts_again(hub):
    story = ArticlePageFactory(series=hub)
    alert = ArticleAlert.objects.get(article=story)
    story.title = "Corrected headline"
    story.save_revision().publish()
    story.unpublish()
    story.save_revision().publish()
    assert list(ArticleAlert.objects.values_list("pk", flat=True)) == [alert.pk]

    private = ArticlePageFactory(series=hub, live=False)
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD, password="x")
    private.save_revision().publish()
    assert not ArticleAlert.objects.filter(article=private).exists()


def restrict(page):
    return PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)


def test_a_story_readers_first_see_after_its_publication_alerts_its_followers_once(client, hub, celery_eager):
    confirmed_follower(client, "ada@example.com", hub)
    story = ArticlePageFactory(title="Night Ledger: the finale leaks", series=hub, live=False)
    restriction = restrict(story)
    story.save_revision().publish()
    assert mail.outbox == []

    restriction.delete()  # the story is public from now on
    assert [message.to for message in mail.outbox] == [["ada@example.com"]]
    assert "Night Ledger: the finale leaks" in mail.outbox[0].subject

    # Closed and opened again, edited and re-published: readers saw it already.
    restrict(story).delete()
    story.save_revision().publish()
    assert len(mail.outbox) == 1


def test_a_section_opened_to_readers_alerts_its_new_stories_not_its_back_catalogue(client, hub, celery_eager):
    confirmed_follower(client, "ada@example.com", hub)
    section = SectionPageFactory()
    restriction = restrict(section)
    fresh = ArticlePageFactory(title="Fresh from the set", parent=section, series=hub)
    ArticlePageFactory(
        title="Three days old", parent=section, series=hub, published_at=timezone.now() - timedelta(days=3)
    )
    assert mail.outbox == [] and not ArticleAlert.objects.exists()

    restriction.delete()
    assert [message.subject for message in mail.outbox] == ["New on Talkies: Fresh from the set"]
    assert list(ArticleAlert.objects.values_list("article_id", flat=True)) == [fresh.pk]


def test_a_story_moved_out_of_a_private_section_alerts_its_followers(client, hub, tag, celery_eager):
    confirmed_follower(client, "ada@example.com", tag)
    private_section = SectionPageFactory()
    restrict(private_section)
    story = ArticlePageFactory(title="Ironbound casting", parent=private_section, tags=[tag])
    assert mail.outbox == []

    story.move(SectionPageFactory(), pos="last-child")
    assert [message.to for message in mail.outbox] == [["ada@example.com"]]
    story.refresh_from_db()
    private_section.refresh_from_db()  # its child count, which the move reads
    story.move(private_section, pos="last-child")
    story.refresh_from_db()
    story.move(SectionPageFactory(), pos="last-child")
    assert len(mail.outbox) == 1


def test_one_email_per_follower_per_story_with_unsubscribe_headers(client, hub, tag, celery_eager):
    both = confirmed_follower(client, "both@example.com", hub, tag)
    confirmed_follower(client, "series@example.com", hub)
    confirmed_follower(client, "digest@example.com", tag, frequency="daily")
    follow(client, "unconfirmed@example.com", hub)
    unsubscribed = confirmed_follower(client, "gone@example.com", tag)
    Follower.objects.filter(pk=unsubscribed.pk).update(unsubscribed_at=timezone.now())
    mail.outbox.clear()

    story = ArticlePageFactory(title="Night Ledger <b>returns</b>", series=hub, tags=[tag])

    assert sorted(message.to[0] for message in mail.outbox) == ["both@example.com", "series@example.com"]
    message = next(message for message in mail.outbox if message.to == ["both@example.com"])
    assert message.subject == "New on Talkies: Night Ledger <b>returns</b>"
    html = message.alternatives[0][0]
    assert "Night Ledger &lt;b&gt;returns&lt;/b&gt;" in html
    assert story.get_full_url() in message.body and story.get_full_url() in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    # The follower's own link (a signed token carries its second: compare what it names).
    prefix = "http://localhost/follow/unsubscribe/"
    assert unsubscribe.startswith(prefix) and unsubscribe.endswith("/")
    assert tokens.follower_from_token(unsubscribe[len(prefix) : -1], tokens.MANAGE) == both
    assert AlertDelivery.objects.filter(status="sent").count() == 2

    # Delivering the alert again (a duplicated task) sends nothing more.
    from alerts.tasks import fan_out_article_alert, send_article_alert_chunk

    alert = ArticleAlert.objects.get(article=story)
    ArticleAlert.objects.filter(pk=alert.pk).update(status=ArticleAlert.Status.FANNING_OUT)
    fan_out_article_alert(alert.pk)
    first, last = (
        min(AlertDelivery.objects.values_list("pk", flat=True)),
        max(AlertDelivery.objects.values_list("pk", flat=True)),
    )
    send_article_alert_chunk(alert.pk, first, last)
    assert len(mail.outbox) == 2


def test_daily_digest_groups_the_days_stories_once(client, hub, tag, celery_eager, settings):
    confirmed_follower(client, "digest@example.com", hub, tag, frequency="daily")
    confirmed_follower(client, "instant@example.com", hub)
    first = ArticlePageFactory(title="Casting news", series=hub, tags=[tag])
    second = ArticlePageFactory(title="Ironbound box office", tags=[tag])
    old = ArticlePageFactory(title="Last week", series=hub, published_at=timezone.now() - timedelta(days=3))
    now = timezone.localtime()
    # The digest dated today covers the 24 hours before today's send time.
    digest_date = now.date() + timedelta(days=1 if now.hour >= settings.ALERT_DIGEST_HOUR else 0)
    window_start, _ = digest_window(digest_date)
    # Published privately before the window, made public in it: new to readers.
    unveiled = ArticlePageFactory(title="Unveiled late", series=hub, live=False)
    restriction = restrict(unveiled)
    unveiled.save_revision().publish()
    ArticlePage.objects.filter(pk=unveiled.pk).update(first_published_at=window_start - timedelta(hours=1))
    restriction.delete()
    mail.outbox.clear()

    send_daily_digests(digest_date.isoformat())
    send_daily_digests(digest_date.isoformat())  # beat firing twice sends one digest

    (digest,) = mail.outbox
    assert digest.to == ["digest@example.com"] and digest.subject == "Your Talkies digest: 3 new stories"
    body = digest.body
    assert body.index("Night Ledger") < body.index(first.title) < body.index("Ironbound") < body.index(second.title)
    assert body.count(first.title) == 1 and old.title not in body and unveiled.title in body
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert DigestDelivery.objects.get().story_count == 3


def test_admin_counts_followers_and_exports_a_topic(client, hub, tag, celery_eager):
    confirmed_follower(client, "a@example.com", hub)
    confirmed_follower(client, "b@example.com", hub, tag, frequency="daily")
    follow(client, "pending@example.com", hub)
    from editorial.newsroom import setup_newsroom

    setup_newsroom()
    users = newsroom_users(wren="Writers", eddie="Editors")

    client.force_login(users["eddie"])
    page = client.get(f"{ADMIN}/reader-alerts/followers-by-topic/").content.decode()
    assert "Night Ledger" in page and "Ironbound" in page
    response = client.get(f"{ADMIN}/reader-alerts/followers-by-topic/export/?topic=series:{hub.pk}")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["email", "frequency", "confirmed_at"]
    assert [row[:2] for row in rows[1:]] == [["a@example.com", "instant"], ["b@example.com", "daily"]]
    assert client.get(f"{ADMIN}/reader-alerts/alert-deliveries/").status_code == 200
    assert client.get(f"{ADMIN}/reader-alerts/followers-by-topic/export/?topic=series:99999").status_code == 404

    # Writers are turned away (Wagtail sends them to the dashboard) without an address.
    client.force_login(users["wren"])
    for path in (
        f"{ADMIN}/reader-alerts/followers-by-topic/export/?topic=series:{hub.pk}",
        f"{ADMIN}/reader-alerts/followers-by-topic/",
    ):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, f"{ADMIN}/")
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    assert client.get(f"{ADMIN}/reader-alerts/followers/").status_code == 200


def test_no_alert_or_digest_mentions_a_draft_a_private_or_an_embargoed_story(client, hub, tag, celery_eager, settings):
    confirmed_follower(client, "instant@example.com", hub, tag)
    confirmed_follower(client, "digest@example.com", hub, tag, frequency="daily")

    def story(word, **kwargs):
        return ArticlePageFactory(
            title=f"Night Ledger {word} exclusive",
            standfirst=f"The {word} standfirst.",
            series=hub,
            tags=[tag],
            **kwargs,
        )

    story("zebradraft", live=False)
    private = story("quokkaprivate", live=False)
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD, password="x")
    private.save_revision().publish()
    embargoed = story("narwhalembargo", live=False)
    embargoed.go_live_at = timezone.now() + timedelta(days=2)
    embargoed.save_revision().publish()
    story("public")

    now = timezone.localtime()
    send_daily_digests((now.date() + timedelta(days=1 if now.hour >= settings.ALERT_DIGEST_HOUR else 0)).isoformat())
    assert sorted(message.to[0] for message in mail.outbox) == ["digest@example.com", "instant@example.com"]
    for message in mail.outbox:
        everything = message.subject + message.body + "".join(str(part[0]) for part in message.alternatives)
        assert "Night Ledger public exclusive" in everything
        for word in ("zebradraft", "quokkaprivate", "narwhalembargo"):
            assert word not in everything
