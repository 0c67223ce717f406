"""Story reads per hour: what the beacon counted, and nothing about who read."""

from datetime import timedelta

from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone


class StoryReadHourQuerySet(models.QuerySet):
    def since(self, moment):
        return self.filter(hour__gte=moment.replace(minute=0, second=0, microsecond=0))

    def totals(self, stories, since, limit):
        """(story id, reads) of the stories in `stories` (a queryset of
        pages) read most since `since`, most first."""
        return list(
            self.since(since)
            .filter(page__in=stories.values("pk"))
            .values("page")
            .annotate(total=Sum("reads"))
            .order_by("-total", "-page")
            .values_list("page", "total")[:limit]
        )

    def rising(self, stories, now, window, limit):
        """(story id, gain) of the stories whose reads in the last `window`
        grew most over the window before it."""
        recent_from, earlier_from = now - window, now - 2 * window
        return list(
            self.since(earlier_from)
            .filter(page__in=stories.values("pk"))
            .values("page")
            .annotate(
                recent=Sum("reads", filter=Q(hour__gte=recent_from.replace(minute=0, second=0, microsecond=0))),
                earlier=Sum("reads", filter=Q(hour__lt=recent_from.replace(minute=0, second=0, microsecond=0))),
            )
            .annotate(gain=models.F("recent") - models.functions.Coalesce("earlier", 0))
            .filter(gain__gt=0)
            .order_by("-gain", "-page")
            .values_list("page", "gain")[:limit]
        )

    def hourly(self, hours, page=None, now=None):
        """Reads per hour over the last `hours` hours, oldest first, zeros included."""
        now = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
        rows = self.since(now - timedelta(hours=hours - 1))
        if page is not None:
            rows = rows.filter(page=page)
        counts = dict(rows.values("hour").annotate(total=Sum("reads")).values_list("hour", "total"))
        return [
            (hour, counts.get(hour, 0)) for hour in (now - timedelta(hours=back) for back in range(hours - 1, -1, -1))
        ]


class StoryReadHour(models.Model):
    """How many readers read a story in one hour (each counted once a day)."""

    page = models.ForeignKey("news.ArticlePage", on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField(help_text="The start of the hour, in UTC.")
    reads = models.PositiveIntegerField(default=0)

    objects = StoryReadHourQuerySet.as_manager()

    class Meta:
        verbose_name = "story reads in an hour"
        verbose_name_plural = "story reads by hour"
        constraints = [models.UniqueConstraint(fields=["page", "hour"], name="one_read_count_per_story_hour")]
        indexes = [models.Index(fields=["hour", "page"], include=["reads"], name="story_reads_by_hour")]

    def __str__(self):
        return f"{self.page_id} at {self.hour:%Y-%m-%d %H}:00: {self.reads}"


class ReadRollup(models.Model):
    """A batch of counts moved from Redis to the database, recorded in the
    same transaction, so a roll-up that dies and runs again adds it once."""

    batch = models.CharField(max_length=80, unique=True)
    rolled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "read count roll-up"

    def __str__(self):
        return self.batch
