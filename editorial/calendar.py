"""The editorial calendar's entries: what happens on which day, for one
person, limited to what their permissions let them open in the admin."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import IntegerField, Q
from django.db.models.functions import Cast
from django.utils import timezone

from wagtail.models import Page, Revision
from wagtail.permission_policies.pages import PagePermissionPolicy

from editorial.models import PlannedStory
from news.models import SeriesSeason

KINDS = {
    "embargo": "Embargo lifts",
    "go_live": "Scheduled update",
    "expiry": "Expires",
    "premiere": "Premiere",
    "planned": "Planned",
}
MONTH, WEEK = "month", "week"


class BadCalendarRequest(ValueError):
    """A period no editor could mean; shown as a 400 with this message."""


@dataclass
class Entry:
    kind: str
    day: date
    title: str
    when: datetime | None = None
    page: Page | None = None
    revision: Revision | None = None
    planned: PlannedStory | None = None
    movable: bool = False

    @property
    def label(self):
        return KINDS[self.kind]


@dataclass
class Period:
    view: str
    start: date
    end: date  # exclusive
    anchor: date

    @classmethod
    def parse(cls, query_dict, today=None):
        today = today or timezone.localdate()
        view = query_dict.get("view") or MONTH
        if view not in (MONTH, WEEK):
            raise BadCalendarRequest("The calendar shows a month or a week.")
        raw = query_dict.get("date") or today.isoformat()
        try:
            anchor = date.fromisoformat(raw[:10])
        except ValueError:
            raise BadCalendarRequest("Dates are written 2026-12-31.") from None
        if not 2000 <= anchor.year <= 2100:
            raise BadCalendarRequest("The calendar runs from 2000 to 2100.")
        if view == WEEK:
            start = anchor - timedelta(days=anchor.weekday())
            return cls(view, start, start + timedelta(days=7), anchor)
        first = anchor.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        # Whole weeks, Monday first, around the month.
        start = first - timedelta(days=first.weekday())
        end = following + timedelta(days=(7 - following.weekday()) % 7)
        return cls(view, start, end, anchor)

    @property
    def weeks(self):
        days = [self.start + timedelta(days=offset) for offset in range((self.end - self.start).days)]
        return [days[index : index + 7] for index in range(0, len(days), 7)]

    def step(self, direction):
        if self.view == WEEK:
            return self.anchor + timedelta(days=7 * direction)
        first = self.anchor.replace(day=1)
        return (
            (first + timedelta(days=32)).replace(day=1)
            if direction > 0
            else (first - timedelta(days=1)).replace(day=1)
        )


def day_bounds(start, end):
    zone = timezone.get_current_timezone()
    return datetime.combine(start, time.min, zone), datetime.combine(end, time.min, zone)


def explorable_pages(user):
    return PagePermissionPolicy().explorable_instances(user)


def calendar_entries(user, start, end):
    """Entries from `start` to `end` (exclusive), in time order."""
    since, until = day_bounds(start, end)
    explorable = explorable_pages(user).values("pk")
    entries = []

    revisions = list(
        Revision.page_revisions.filter(approved_go_live_at__gte=since, approved_go_live_at__lt=until)
        .annotate(page_id=Cast("object_id", IntegerField()))
        .filter(page_id__in=explorable)
    )
    pages = Page.objects.filter(pk__in=[revision.page_id for revision in revisions]).specific().in_bulk()
    for revision in revisions:
        page = pages.get(revision.page_id)
        if page is None:
            continue
        moment = timezone.localtime(revision.approved_go_live_at)
        entries.append(
            Entry(
                "go_live" if page.live else "embargo",
                moment.date(),
                page.get_admin_display_title(),
                when=moment,
                page=page,
                revision=revision,
                movable=page.permissions_for_user(user).can_publish(),
            )
        )

    for page in Page.objects.filter(live=True, expire_at__gte=since, expire_at__lt=until, pk__in=explorable):
        moment = timezone.localtime(page.expire_at)
        entries.append(Entry("expiry", moment.date(), page.get_admin_display_title(), when=moment, page=page))

    # A live hub's premieres are public; a draft hub's only for who may open it.
    seasons = SeriesSeason.objects.filter(premiere_date__gte=start, premiere_date__lt=end).filter(
        Q(page__live=True) | Q(page__in=explorable)
    )
    for season in seasons.select_related("page"):
        title = f"{season.page.title}, season {season.number}"
        entries.append(Entry("premiere", season.premiere_date, title, page=season.page))

    planned = PlannedStory.objects.visible_to(explorable).filter(target_date__gte=start, target_date__lt=end)
    for pitch in planned.select_related("assignee", "section", "draft"):
        entries.append(Entry("planned", pitch.target_date, pitch.working_title, planned=pitch))

    return sorted(entries, key=lambda entry: (entry.day, entry.when is None, entry.when or since, entry.title))


def by_day(entries):
    days = {}
    for entry in entries:
        days.setdefault(entry.day, []).append(entry)
    return days
