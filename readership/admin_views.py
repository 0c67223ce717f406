from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone

from news.models import ArticlePage
from readership.charts import bar_chart
from readership.models import StoryReadHour


def reads_summary(page=None, now=None):
    """Reads in the last 24 hours and 7 days, with a chart of each (by
    hour, and by day), for one story or the whole site."""
    now = now or timezone.now()
    hourly = StoryReadHour.objects.hourly(7 * 24, page=page, now=now)
    last_day = hourly[-24:]
    days = [hourly[start : start + 24] for start in range(0, len(hourly), 24)]
    daily = [(hours[-1][0], sum(reads for _, reads in hours)) for hours in days]
    return {
        "reads_24h": sum(reads for _, reads in last_day),
        "reads_7d": sum(reads for _, reads in hourly),
        "hourly_chart": bar_chart((f"{hour:%H}:00", reads) for hour, reads in last_day),
        "daily_chart": bar_chart((f"{day:%a %d %b}", reads) for day, reads in daily),
    }


def story_reads(request, page_id):
    """A story's reads, for whoever may edit it."""
    page = get_object_or_404(ArticlePage, pk=page_id)
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return TemplateResponse(request, "readership/story_reads.html", {"page": page, **reads_summary(page)})


def most_read_stories(since, limit):
    """The live, public stories read most since `since`, with their reads."""
    rows = StoryReadHour.objects.totals(ArticlePage.objects.cards(), since, limit)
    titles = dict(ArticlePage.objects.filter(pk__in=[pk for pk, _ in rows]).values_list("pk", "title"))
    return [(pk, titles[pk], reads) for pk, reads in rows if pk in titles]
