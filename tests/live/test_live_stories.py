"""Live stories: the live desk in the admin, and what readers, feeds, the
structured data and followers get from it."""

import json
import xml.etree.ElementTree as ElementTree

from django.urls import reverse

from wagtail.models import PageViewRestriction

import pytest
from lxml import html as lxml_html

from alerts.models import ArticleAlert
from editorial.newsroom import EDITORS, WRITERS, setup_newsroom
from live.models import LiveCoverage, LiveUpdate, LiveUpdateChange
from live.tasks import refresh_live_status
from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    LiveCoverageFactory,
    LiveUpdateFactory,
    SectionPageFactory,
    hours_ago,
    live_update_form_data,
    newsroom_users,
)
from tests.support.admin import ADMIN

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def desk():
    """A published story in News, and the newsroom: two writers, an editor."""
    section = SectionPageFactory(title="News", slug="news")
    story = ArticlePageFactory(parent=section, title="The awards, live", slug="awards-live", published_at=hours_ago(1))
    setup_newsroom()
    users = newsroom_users(wren=WRITERS, wade=WRITERS, eve=EDITORS)
    return story, users


def desk_url(story):
    return reverse("live_admin:desk", args=[story.pk])


def open_coverage(client, story, editor):
    client.force_login(editor)
    return client.post(desk_url(story), {"action": "open", "coverage-starts_at": "2026-01-01 18:00"})


def post_update(client, story, user, **fields):
    client.force_login(user)
    fields.setdefault("author", AuthorFactory())
    return client.post(desk_url(story), live_update_form_data(**fields))


def denied(response):
    """Wagtail's answer to an admin request the user may not make: back to the dashboard."""
    return response.status_code == 302 and response.url == f"{ADMIN}/"


def reader_tree(client, story, **params):
    client.logout()
    response = client.get(story.url, params)
    assert response.status_code == 200
    return lxml_html.fromstring(response.content)


def updates_shown(tree):
    return [
        " ".join(node.text_content().split())
        for node in tree.xpath("//*[@data-live-list]//*[contains(@class, 'live-update__headline')]")
    ]


def test_writers_post_at_once_and_readers_see_newest_first_without_a_page_revision(client, desk):
    story, users = desk
    revisions = story.revisions.count()
    assert open_coverage(client, story, users["eve"]).status_code == 302
    assert post_update(client, story, users["wren"], headline="Red carpet opens").status_code == 302
    # A second writer, with the first still on the desk: no lock stands between them.
    assert post_update(client, story, users["wade"], headline="First award goes to Night Ledger").status_code == 302
    assert post_update(client, story, users["wren"], headline="Best drama", key_event=True).status_code == 302

    tree = reader_tree(client, story)
    assert updates_shown(tree) == ["Best drama", "First award goes to Night Ledger", "Red carpet opens"]
    key_events = tree.xpath("//*[contains(@class, 'live__key-events')]//a")
    assert [" ".join(a.text_content().split()[1:]) for a in key_events] == ["Best drama"]
    best = LiveUpdate.objects.get(headline="Best drama")
    assert key_events[0].get("href") == f"#update-{best.pk}"
    assert tree.xpath(f"//*[@id='update-{best.pk}']")
    assert story.revisions.count() == revisions
    story.refresh_from_db()
    assert not story.locked


def test_a_bad_update_is_refused_clearly_and_keeps_what_was_typed(client, desk):
    story, users = desk
    open_coverage(client, story, users["eve"])
    # No byline: an update always says who wrote it.
    data = live_update_form_data(headline="Kept headline", body="<p>Kept body text.</p>")
    client.force_login(users["wren"])
    response = client.post(desk_url(story), data)
    assert response.status_code == 200
    assert b"could not be posted" in response.content
    assert b'value="Kept headline"' in response.content and b"Kept body text." in response.content
    assert not LiveUpdate.objects.exists()


def test_only_editors_open_or_end_coverage_and_writers_change_only_their_own_updates(client, desk):
    story, users = desk
    client.force_login(users["wren"])
    assert denied(client.post(desk_url(story), {"action": "open", "coverage-starts_at": "2026-01-01 18:00"}))
    assert not LiveCoverage.objects.exists()
    open_coverage(client, story, users["eve"])
    post_update(client, story, users["wren"], headline="Wren's update")
    wrens = LiveUpdate.objects.get()

    client.force_login(users["wade"])
    edit = reverse("live_admin:edit_update", args=[wrens.pk])
    change = reverse("live_admin:change_update", args=[wrens.pk])
    assert denied(client.get(edit))
    assert denied(client.post(change, {"action": "remove"}))
    # Arranging the coverage is anyone's on the desk: pin it, mark it a key event.
    assert client.post(change, {"action": "key_event"}).status_code == 302
    wrens.refresh_from_db()
    assert wrens.key_event
    assert denied(client.post(desk_url(story), {"action": "end"}))
    wrens.refresh_from_db()
    assert wrens.removed_at is None and LiveCoverage.objects.get().status == LiveCoverage.Status.LIVE

    client.force_login(users["eve"])
    assert client.post(change, {"action": "pin"}).status_code == 302
    assert client.post(desk_url(story), {"action": "end"}).status_code == 302
    assert LiveCoverage.objects.get().status == LiveCoverage.Status.ENDED


def test_every_change_is_kept_in_the_updates_history(client, desk):
    story, users = desk
    open_coverage(client, story, users["eve"])
    post_update(client, story, users["wren"], headline="Fist award", body="<p>Typo in the headline.</p>")
    update = LiveUpdate.objects.get()
    client.force_login(users["wren"])
    data = live_update_form_data(headline="First award", body="<p>Fixed.</p>", author=update.authors.get())
    data.pop("action")
    assert client.post(reverse("live_admin:edit_update", args=[update.pk]), data).status_code == 302
    client.force_login(users["eve"])
    client.post(reverse("live_admin:change_update", args=[update.pk]), {"action": "key_event"})
    client.post(reverse("live_admin:change_update", args=[update.pk]), {"action": "remove"})

    actions = list(update.history.order_by("at", "pk").values_list("action", "headline", "user__username"))
    assert actions == [
        (LiveUpdateChange.Action.POSTED, "Fist award", "wren"),
        (LiveUpdateChange.Action.EDITED, "First award", "wren"),
        (LiveUpdateChange.Action.KEY_EVENT, "First award", "eve"),
        (LiveUpdateChange.Action.REMOVED, "First award", "eve"),
    ]
    page = client.get(reverse("live_admin:update_history", args=[update.pk])).content.decode()
    assert "Typo in the headline." in page and "Fixed." in page
    # Removed: gone for readers, still on the desk to restore.
    assert updates_shown(reader_tree(client, story)) == []
    client.force_login(users["eve"])
    client.post(reverse("live_admin:change_update", args=[update.pk]), {"action": "restore"})
    assert updates_shown(reader_tree(client, story)) == ["First award"]


def test_readers_page_through_hundreds_of_updates(client):
    coverage = LiveCoverageFactory()
    for minute in range(45):
        LiveUpdateFactory(coverage=coverage, headline=f"Minute {minute}", posted_at=hours_ago(1 - minute / 60))
    story = coverage.page
    assert updates_shown(reader_tree(client, story))[:2] == ["Minute 44", "Minute 43"]
    assert len(updates_shown(reader_tree(client, story))) == 20
    assert updates_shown(reader_tree(client, story, updates=3)) == [f"Minute {m}" for m in range(4, -1, -1)]
    # A page that does not exist is the first page, not an error.
    assert updates_shown(reader_tree(client, story, updates="abc"))[0] == "Minute 44"
    assert updates_shown(reader_tree(client, story, updates=99))[0] == "Minute 44"


def test_structured_data_is_a_live_blog_posting_with_its_updates(client):
    coverage = LiveCoverageFactory(ends_at=hours_ago(0.1))
    author = AuthorFactory(name="Ada Okonkwo")
    LiveUpdateFactory(coverage=coverage, headline="Doors open", posted_at=hours_ago(0.9), authors=[author])
    LiveUpdateFactory(coverage=coverage, headline="Final award", posted_at=hours_ago(0.5))
    tree = reader_tree(client, coverage.page)
    documents = [json.loads(node.text) for node in tree.xpath("//script[@type='application/ld+json']")]
    (live,) = [document for document in documents if document["@type"] == "LiveBlogPosting"]
    assert live["coverageStartTime"].startswith(coverage.starts_at.isoformat()[:19])
    assert live["coverageEndTime"].startswith(coverage.ends_at.isoformat()[:19])
    assert [update["headline"] for update in live["liveBlogUpdate"]] == ["Final award", "Doors open"]
    assert live["liveBlogUpdate"][1]["author"] == [{"@type": "Person", "name": "Ada Okonkwo"}]
    assert live["liveBlogUpdate"][0]["url"].endswith(f"#update-{coverage.updates.get(headline='Final award').pk}")
    assert "Coverage ended" in tree.xpath("//*[contains(@class, 'live__status')]")[0].text_content()


def test_the_feed_and_the_fragment_serve_the_updates_of_a_public_live_story_only(client):
    coverage = LiveCoverageFactory()
    LiveUpdateFactory(coverage=coverage, headline="Doors open", posted_at=hours_ago(0.9))
    LiveUpdateFactory(coverage=coverage, headline="Final award", posted_at=hours_ago(0.5))
    story = coverage.page
    feed = client.get(reverse("live:updates_feed", args=[story.pk]))
    assert feed.status_code == 200
    entries = ElementTree.fromstring(feed.content).findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}title").text for entry in entries] == ["Final award", "Doors open"]
    final = coverage.updates.get(headline="Final award")
    assert entries[0].find(f"{ATOM}link").get("href").endswith(f"{story.url}#update-{final.pk}")

    fragment = client.get(reverse("live:updates_fragment", args=[story.pk]))
    assert fragment.status_code == 200 and "public" in fragment["Cache-Control"]
    assert b"Final award" in fragment.content

    ordinary = ArticlePageFactory()
    assert client.get(reverse("live:updates_fragment", args=[ordinary.pk])).status_code == 404
    PageViewRestriction.objects.create(page=story, restriction_type=PageViewRestriction.PASSWORD, password="x")
    for name in ("live:updates_fragment", "live:updates_feed"):
        assert client.get(reverse(name, args=[story.pk])).status_code == 404
    story.unpublish()
    assert client.get(reverse("live:updates_fragment", args=[story.pk])).status_code == 404


def test_hostile_input_in_an_update_is_escaped_everywhere(client, desk):
    story, users = desk
    open_coverage(client, story, users["eve"])
    hostile = "<script>alert(1)</script>"
    # Typed into the editor as text: the rich text editor keeps it as text.
    post_update(client, story, users["wren"], headline=hostile, body="<p>Hi &lt;img src=x onerror=alert(2)&gt;</p>")
    page = client.get(story.url).content.decode()
    fragment = client.get(reverse("live:updates_fragment", args=[story.pk])).content.decode()
    feed = client.get(reverse("live:updates_feed", args=[story.pk])).content.decode()
    for served in (page, fragment, feed):
        assert "<script>alert(1)" not in served
        assert "<img src=x onerror" not in served and '<img src="x" onerror' not in served
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in fragment


def test_followers_get_one_alert_for_a_live_story_not_one_per_update(client, desk):
    story, users = desk
    # The story's one alert, owed when it was published.
    alerts_before = ArticleAlert.objects.filter(article=story).count()
    assert alerts_before == 1
    open_coverage(client, story, users["eve"])
    for number in range(3):
        post_update(client, story, users["wren"], headline=f"Update {number}")
    assert ArticleAlert.objects.filter(article=story).count() == alerts_before


def test_the_api_serves_the_updates_of_public_live_stories_only(client):
    coverage = LiveCoverageFactory()
    LiveUpdateFactory(
        coverage=coverage, headline="Doors open", posted_at=hours_ago(0.9), authors=[AuthorFactory(name="Ada Okonkwo")]
    )
    LiveUpdateFactory(coverage=coverage, headline="Final award", posted_at=hours_ago(0.5), key_event=True)
    LiveUpdateFactory(coverage=coverage, headline="Removed by an editor", removed_at=hours_ago(0.1))
    draft = LiveCoverageFactory(page=ArticlePageFactory(live=False))
    hidden = LiveUpdateFactory(coverage=draft, headline="Draft story's update")

    answer = client.get("/api/v2/live-updates/", {"story": coverage.page_id})
    assert answer.status_code == 200
    items = answer.json()["items"]
    assert [item["headline"] for item in items] == ["Final award", "Doors open"]
    assert items[0]["key_event"] is True and items[1]["byline"] == ["Ada Okonkwo"]
    assert items[0]["story"] == coverage.page_id and items[0]["body"][0]["type"] == "paragraph"

    everything = client.get("/api/v2/live-updates/").json()["items"]
    assert "Draft story's update" not in [item["headline"] for item in everything]
    assert client.get(f"/api/v2/live-updates/{hidden.pk}/").status_code == 404
    assert client.get("/api/v2/live-updates/", {"story": "x; drop"}).status_code == 400


def test_a_live_story_that_starts_by_the_clock_is_purged_by_the_sweep(client, page_cache_on):
    coverage = LiveCoverageFactory(starts_at=hours_ago(-1))
    story = coverage.page
    client.get(story.url)
    assert "Coverage starts" in client.get(story.url).content.decode()
    assert refresh_live_status() == 0
    LiveCoverage.objects.filter(pk=coverage.pk).update(starts_at=hours_ago(0.01))  # its start has just passed
    assert client.get(story.url)["X-Page-Cache"] == "hit"
    assert refresh_live_status() == 1
    tree = reader_tree(client, story)
    assert tree.xpath("//*[contains(@class, 'live__badge')]")
