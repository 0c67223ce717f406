"""A person's assignments as an iCalendar feed, for their own calendar app."""

from datetime import timedelta

from django.utils import timezone

from wagtail.models import Revision

from icalendar import Calendar, Event

from editorial.calendar import explorable_pages
from editorial.models import PlannedStory
from news.models import ArticlePage

# Old assignments stay in the feed for a while, then drop out.
FEED_PAST_DAYS = 30


def assignments_calendar(user, host):
    """Planned stories assigned to `user` and scheduled go-lives of their
    stories, in sections they may still open."""
    explorable = explorable_pages(user).values("pk")
    since = timezone.localdate() - timedelta(days=FEED_PAST_DAYS)
    calendar = Calendar()
    calendar.add("prodid", "-//Talkies//Editorial calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Talkies assignments")
    planned = PlannedStory.objects.visible_to(explorable).filter(assignee=user, target_date__gte=since)
    for pitch in planned.select_related("section"):
        event = Event()
        event.add("uid", f"planned-{pitch.pk}@{host}")
        event.add("summary", f"Planned: {pitch.working_title}")
        event.add("dtstart", pitch.target_date)
        event.add("dtend", pitch.target_date + timedelta(days=1))
        event.add("dtstamp", pitch.created_at)
        event.add("description", f"{pitch.section.title}. {pitch.notes}".strip())
        calendar.add_component(event)
    owned = ArticlePage.objects.filter(owner=user, pk__in=explorable).values_list("pk", flat=True)
    scheduled = Revision.page_revisions.filter(
        object_id__in=[str(pk) for pk in owned], approved_go_live_at__gte=timezone.now() - timedelta(days=1)
    )
    for revision in scheduled:
        event = Event()
        event.add("uid", f"go-live-{revision.object_id}@{host}")
        event.add("summary", f"Goes live: {revision.object_str}")
        event.add("dtstart", revision.approved_go_live_at)
        event.add("dtend", revision.approved_go_live_at + timedelta(minutes=15))
        event.add("dtstamp", revision.created_at)
        calendar.add_component(event)
    return calendar.to_ical()
