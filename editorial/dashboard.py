"""Panels on the admin home page: what each person in the newsroom needs now."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, IntegerField
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from wagtail.admin.ui.components import Component
from wagtail.models import Revision, TaskState
from wagtail.permission_policies.pages import PagePermissionPolicy

from news.models import ArticlePage

CHART_DAYS = 30


def missed_go_lives(now=None):
    """Scheduled revisions whose go-live time passed more than the alarm
    threshold ago without being published: beat or the workers are down."""
    now = now or timezone.now()
    threshold = now - timedelta(minutes=settings.MISSED_GO_LIVE_ALARM_MINUTES)
    return Revision.page_revisions.filter(approved_go_live_at__lt=threshold).order_by("approved_go_live_at")


class DashboardPanel(Component):
    order = 50

    def __init__(self, request):
        self.request = request

    def explorable_page_ids(self):
        """The pages this user may see in the admin's page explorer: no panel
        names a page outside them (a scheduled story in a section the user
        cannot open is news they should not have)."""
        return PagePermissionPolicy().explorable_instances(self.request.user).values("pk")

    def revisions_of_explorable_pages(self, revisions):
        # Revision.object_id is text (it serves every model); cast it to
        # compare with page ids, which PostgreSQL will not do implicitly.
        return revisions.annotate(page_id=Cast("object_id", IntegerField())).filter(
            page_id__in=self.explorable_page_ids()
        )


class MissedGoLivePanel(DashboardPanel):
    name = "missed_go_live"
    order = 10
    template_name = "editorial/dashboard/missed_go_live.html"

    def get_context_data(self, parent_context):
        return {"revisions": list(self.revisions_of_explorable_pages(missed_go_lives())[:20])}


class MyDraftsPanel(DashboardPanel):
    name = "my_drafts"
    order = 60
    template_name = "editorial/dashboard/story_list.html"

    def get_context_data(self, parent_context):
        # Revision.object_id is text (it serves every model); cast it to
        # compare with page ids, which PostgreSQL will not do implicitly.
        scheduled_ids = (
            Revision.page_revisions.filter(approved_go_live_at__isnull=False)
            .annotate(page_id=Cast("object_id", IntegerField()))
            .values("page_id")
        )
        drafts = (
            ArticlePage.objects.filter(owner=self.request.user, live=False)
            .exclude(pk__in=scheduled_ids)
            .order_by("-latest_revision_created_at")[:10]
        )
        return {
            "panel_id": "my-drafts",
            "heading": "My drafts",
            "stories": drafts,
            "date_field": "edited",
            "empty": "No drafts. Start a story from a section's page.",
        }


class AwaitingMyReviewPanel(DashboardPanel):
    name = "awaiting_my_review"
    order = 55
    template_name = "editorial/dashboard/awaiting_review.html"

    def get_context_data(self, parent_context):
        states = (
            TaskState.objects.reviewable_by(self.request.user)
            .select_related("task", "workflow_state")
            .order_by("task__name", "started_at")
        )
        by_task = {}
        for state in states[:50]:
            by_task.setdefault(state.task.name, []).append(state)
        return {"by_task": by_task}


class ScheduledPanel(DashboardPanel):
    name = "scheduled"
    order = 65
    template_name = "editorial/dashboard/scheduled.html"

    def get_context_data(self, parent_context):
        revisions = Revision.page_revisions.filter(approved_go_live_at__gte=timezone.now())
        return {"revisions": list(self.revisions_of_explorable_pages(revisions).order_by("approved_go_live_at")[:20])}


class RecentlyPublishedPanel(DashboardPanel):
    name = "recently_published"
    order = 70
    template_name = "editorial/dashboard/story_list.html"

    def get_context_data(self, parent_context):
        stories = (
            ArticlePage.objects.live().filter(pk__in=self.explorable_page_ids()).order_by("-last_published_at")[:10]
        )
        return {
            "panel_id": "recently-published",
            "heading": "Recently published",
            "stories": stories,
            "date_field": "published",
            "empty": "Nothing published yet.",
        }


class PublishedPerDayPanel(DashboardPanel):
    name = "published_per_day"
    order = 75
    template_name = "editorial/dashboard/published_per_day.html"
    width, height = 600, 160

    def get_context_data(self, parent_context):
        today = timezone.localdate()
        start = today - timedelta(days=CHART_DAYS - 1)
        counts = dict(
            # Live stories only: one unpublished since, or still a draft, is not counted.
            ArticlePage.objects.live()
            .filter(first_published_at__date__gte=start, pk__in=self.explorable_page_ids())
            .annotate(day=TruncDate("first_published_at"))
            # Pages are ordered by tree path, which would split each day's group.
            .order_by()
            .values_list("day")
            .annotate(count=Count("pk"))
            .values_list("day", "count")
        )
        days = [start + timedelta(days=offset) for offset in range(CHART_DAYS)]
        peak = max([counts.get(day, 0) for day in days] + [1])
        bar_width = self.width / CHART_DAYS
        bars = []
        for index, day in enumerate(days):
            count = counts.get(day, 0)
            bar_height = round((self.height - 20) * count / peak, 1)
            bars.append(
                {
                    "x": round(index * bar_width + 1, 1),
                    "y": round(self.height - bar_height, 1),
                    "width": round(bar_width - 2, 1),
                    "height": bar_height,
                    "day": day,
                    "count": count,
                }
            )
        return {"bars": bars, "width": self.width, "height": self.height, "total": sum(counts.values()), "peak": peak}


def construct_panels(request, panels):
    panels[:] = [panel for panel in panels if getattr(panel, "name", "") != "workflow_objects_to_moderate"]
    panels.append(MissedGoLivePanel(request))
    panels.append(AwaitingMyReviewPanel(request))
    panels.append(MyDraftsPanel(request))
    panels.append(ScheduledPanel(request))
    panels.append(RecentlyPublishedPanel(request))
    panels.append(PublishedPerDayPanel(request))


def check_scheduled_publishing() -> str:
    """/healthz: down while a scheduled story is late."""
    missed = missed_go_lives().count()
    if missed:
        raise RuntimeError(f"{missed} scheduled stories missed their go-live time")
    return "on time"
