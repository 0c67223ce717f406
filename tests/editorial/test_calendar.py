"""The editorial calendar: each person sees only what their permissions
allow; editors move scheduled stories with Wagtail's own scheduling; a
planned story becomes a draft in one click; each person's iCal feed of
assignments, read by a real iCalendar parser, can be replaced."""

from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import Group
from django.utils import timezone

from wagtail.models import GroupPagePermission, Revision

import pytest
from icalendar import Calendar
from lxml import html as lxml_html

from editorial.models import CalendarFeed, PlannedStory
from editorial.newsroom import EDITORS, WRITERS, setup_newsroom
from editorial.tasks import publish_scheduled_pages
from news.models import ArticlePage
from tests.factories import (
    ArticlePageFactory,
    SectionPageFactory,
    SeriesHubPageFactory,
    UserFactory,
    home_page,
    newsroom_users,
)
from tests.support.admin import ADMIN

pytestmark = pytest.mark.django_db

CALENDAR = f"{ADMIN}/calendar/"


def at(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def schedule(story, go_live_at):
    story.go_live_at = go_live_at
    story.save_revision().publish()
    story.refresh_from_db()
    return story


@pytest.fixture
def desk():
    home_page()
    news = SectionPageFactory(title="News", slug="news")
    reviews = SectionPageFactory(title="Reviews", slug="reviews")
    setup_newsroom()
    today = timezone.localdate()
    soon = today + timedelta(days=3)
    hub = SeriesHubPageFactory(title="Night Ledger", slug="night-ledger")
    hub.seasons.create(number=3, premiere_date=soon)
    hub.save_revision().publish()
    users = newsroom_users(wren=WRITERS, edda=EDITORS)
    # A reviewer who may write only in Reviews.
    critics = Group.objects.create(name="Critics")
    critics.permissions.add(*Group.objects.get(name=WRITERS).permissions.all())
    GroupPagePermission.objects.create(group=critics, page=reviews, permission_type="add")
    critic = UserFactory(username="cora", email="cora@talkies.test")
    critic.groups.add(critics)
    embargoed = schedule(ArticlePageFactory(parent=news, title="Embargoed casting news", live=False), at(soon, 9))
    update = ArticlePageFactory(parent=news, title="Live story with an update")
    update.title = "Live story, updated"
    schedule(update, at(soon, 15))
    expiring = ArticlePageFactory(parent=reviews, title="Competition closes")
    expiring.expire_at = at(soon, 18)
    expiring.save_revision().publish()
    pitch = PlannedStory.objects.create(
        working_title="Season three premiere recap",
        section=news,
        series=hub,
        assignee=users["wren"],
        target_date=soon,
        notes="Recap <b>on the night</b>.",
    )
    review_pitch = PlannedStory.objects.create(
        working_title="Season three review", section=reviews, assignee=critic, target_date=soon
    )
    return {
        "news": news,
        "reviews": reviews,
        "soon": soon,
        "embargoed": embargoed,
        "update": update,
        "expiring": expiring,
        "pitch": pitch,
        "review_pitch": review_pitch,
        "critic": critic,
        **users,
    }


def entries_on(client, day, **params):
    response = client.get(CALENDAR, {"date": day.isoformat(), **params})
    assert response.status_code == 200, response.status_code
    tree = lxml_html.fromstring(response.content)
    cell = tree.xpath(f"//td[@data-day='{day.isoformat()}']")[0]
    return {
        " ".join(entry.xpath("string(.)").split()[:12]): entry.get("data-kind")
        for entry in cell.xpath(".//li[@data-kind]")
    }


def kinds_on(client, day, **params):
    return sorted(entries_on(client, day, **params).values())


def test_an_editor_sees_every_kind_of_entry_in_month_and_week(client, desk):
    client.force_login(desk["edda"])
    expected = ["embargo", "expiry", "go_live", "planned", "planned", "premiere"]
    assert kinds_on(client, desk["soon"]) == expected
    assert kinds_on(client, desk["soon"], view="week") == expected
    text = " ".join(entries_on(client, desk["soon"]))
    assert "Embargo lifts 09:00 Embargoed casting news" in text
    assert "Premiere Night Ledger, season 3" in text


def test_a_writer_limited_to_one_section_sees_only_its_entries_and_public_premieres(client, desk):
    client.force_login(desk["critic"])
    assert kinds_on(client, desk["soon"]) == ["expiry", "planned", "premiere"]
    page = client.get(CALENDAR, {"date": desk["soon"].isoformat()}).content.decode()
    for hidden in ("Embargoed casting news", "Live story", "Season three premiere recap"):
        assert hidden not in page
    assert "Move to" not in page  # writers cannot publish, so cannot reschedule


def test_an_editor_moves_a_scheduled_story_and_beat_publishes_it_at_the_new_time(client, desk):
    client.force_login(desk["edda"])
    story = desk["embargoed"]
    revision = Revision.page_revisions.get(object_id=str(story.pk), approved_go_live_at__isnull=False)
    later = desk["soon"] + timedelta(days=2)
    response = client.post(f"{CALENDAR}move/{revision.pk}/", {"go_live_at": f"{later.isoformat()}T07:30"})
    assert response.status_code == 302
    scheduled = Revision.page_revisions.filter(object_id=str(story.pk), approved_go_live_at__isnull=False)
    assert [item.approved_go_live_at for item in scheduled] == [at(later, 7).replace(minute=30)]
    assert kinds_on(client, later) == ["embargo"]
    assert "Embargoed casting news" not in " ".join(entries_on(client, desk["soon"]))

    publish_scheduled_pages()  # beat, now: not due yet
    assert not ArticlePage.objects.get(pk=story.pk).live
    # The clock reaches the new time (the revision's own go-live time with it).
    due = scheduled[0]
    due.approved_go_live_at = timezone.now() - timedelta(seconds=1)
    due.content["go_live_at"] = due.approved_go_live_at.isoformat()
    due.save(update_fields=["approved_go_live_at", "content"])
    publish_scheduled_pages()  # beat, once the new time has come
    assert ArticlePage.objects.get(pk=story.pk).live


@pytest.mark.parametrize("value", ["", "next tuesday", "2026-13-45T25:99", "2001-01-01T09:00"])
def test_a_move_to_no_time_or_a_past_time_is_a_clear_400_and_changes_nothing(client, desk, value):
    client.force_login(desk["edda"])
    revision = Revision.page_revisions.get(object_id=str(desk["embargoed"].pk), approved_go_live_at__isnull=False)
    response = client.post(f"{CALENDAR}move/{revision.pk}/", {"go_live_at": value})
    assert response.status_code == 400
    assert lxml_html.fromstring(response.content).xpath("string(//p[@role='alert'])")
    revision.refresh_from_db()
    assert revision.approved_go_live_at == at(desk["soon"], 9)


def test_writers_cannot_move_scheduled_stories(client, desk):
    revision = Revision.page_revisions.get(object_id=str(desk["embargoed"].pk), approved_go_live_at__isnull=False)
    for user in (desk["wren"], desk["critic"]):
        client.force_login(user)
        client.post(f"{CALENDAR}move/{revision.pk}/", {"go_live_at": "2099-01-01T09:00"})
        revision.refresh_from_db()
        assert revision.approved_go_live_at == at(desk["soon"], 9)


def test_a_planned_story_becomes_a_draft_once_in_one_click(client, desk):
    client.force_login(desk["wren"])
    response = client.post(f"{CALENDAR}draft/{desk['pitch'].pk}/")
    draft = ArticlePage.objects.get(title="Season three premiere recap")
    assert response.status_code == 302 and response["Location"] == f"{ADMIN}/pages/{draft.pk}/edit/"
    assert not draft.live and draft.owner == desk["wren"] and draft.series.title == "Night Ledger"
    assert draft.get_parent().specific == desk["news"]
    assert "Recap &lt;b&gt;on the night&lt;/b&gt;." in str(draft.body[0].value)  # the notes, as text
    assert client.post(f"{CALENDAR}draft/{desk['pitch'].pk}/")["Location"] == f"{ADMIN}/pages/{draft.pk}/edit/"
    assert ArticlePage.objects.filter(title="Season three premiere recap").count() == 1
    # Not in a section the person may write in: refused, nothing made.
    client.force_login(desk["critic"])
    assert client.post(f"{CALENDAR}draft/{desk['pitch'].pk}/").status_code == 404


def test_the_ical_feed_lists_ones_assignments_and_can_be_replaced(client, desk):
    client.force_login(desk["wren"])
    page = lxml_html.fromstring(client.get(CALENDAR).content)
    feed_url = page.xpath("string(//input[@class='calendar__feed-url']/@value)")
    path = feed_url.split("localhost", 1)[1] if "localhost" in feed_url else feed_url.split("testserver", 1)[1]
    client.logout()  # a calendar app has no session
    response = client.get(path)
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar"
    assert "no-store" in response["Cache-Control"]
    calendar = Calendar.from_ical(response.content)
    events = {str(event["summary"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {"Planned: Season three premiere recap"}
    assert events["Planned: Season three premiere recap"].decoded("dtstart") == desk["soon"]

    client.force_login(desk["wren"])
    client.post(f"{CALENDAR}feed/replace/")
    client.logout()
    assert client.get(path).status_code == 404
    assert client.get(f"/calendar/{CalendarFeed.objects.get(user=desk['wren']).token}.ics").status_code == 200
    assert client.get("/calendar/not-a-token.ics").status_code == 404


@pytest.mark.parametrize("params", [{"view": "year"}, {"date": "tuesday"}, {"date": "1066-10-14"}])
def test_a_period_no_one_could_mean_is_a_clear_400(client, desk, params):
    client.force_login(desk["edda"])
    response = client.get(CALENDAR, params)
    assert response.status_code == 400
    assert lxml_html.fromstring(response.content).xpath("string(//p[@role='alert'])")


def test_month_view_runs_monday_to_sunday_around_the_month(client, desk):
    client.force_login(desk["edda"])
    tree = lxml_html.fromstring(client.get(CALENDAR, {"date": "2026-12-15"}).content)
    days = tree.xpath("//td/@data-day")
    assert days[0] == "2026-11-30" and days[-1] == "2027-01-03" and len(days) == 35
    assert date.fromisoformat(days[0]).weekday() == 0
