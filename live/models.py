"""Live stories: a story opened for live coverage, and the updates writers
post to it without a page lock or a page revision each."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from wagtail.api import APIField
from wagtail.fields import StreamField

from rest_framework import serializers

from live.blocks import LiveUpdateBodyBlock
from news.models import ArticlePage

UPDATES_PER_PAGE = 20


class LiveCoverageQuerySet(models.QuerySet):
    def visible_to_readers(self):
        """Coverage of live, public stories only: a draft, private or
        embargoed story's updates show nowhere."""
        return self.filter(page__in=ArticlePage.objects.cards().values("pk"))

    def running(self, now=None):
        now = now or timezone.now()
        return self.filter(starts_at__lte=now).filter(models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=now))


class LiveCoverage(models.Model):
    """A story opened as a live story. Its status follows the clock:
    upcoming before the start, live until the end, then ended, when it reads
    as an ordinary story with its updates kept in order."""

    class Status(models.TextChoices):
        UPCOMING = "upcoming", "Upcoming"
        LIVE = "live", "Live"
        ENDED = "ended", "Ended"

    page = models.OneToOneField(
        "news.ArticlePage", on_delete=models.CASCADE, primary_key=True, related_name="live_coverage"
    )
    starts_at = models.DateTimeField("coverage starts", default=timezone.now)
    ends_at = models.DateTimeField(
        "coverage ends", null=True, blank=True, help_text="Leave empty while the end is not known."
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = LiveCoverageQuerySet.as_manager()

    class Meta:
        verbose_name = "live coverage"
        verbose_name_plural = "live coverage"

    def __str__(self):
        return f"Live: {self.page}"

    def status_at(self, now=None):
        now = now or timezone.now()
        if now < self.starts_at:
            return self.Status.UPCOMING
        if self.ends_at and now >= self.ends_at:
            return self.Status.ENDED
        return self.Status.LIVE

    @property
    def status(self):
        return self.status_at()

    @property
    def is_running(self):
        return self.status == self.Status.LIVE


class LiveUpdateQuerySet(models.QuerySet):
    def shown(self):
        """What readers see: not removed, pinned or not, newest first, with bylines."""
        return self.filter(removed_at__isnull=True).order_by("-posted_at", "-pk").prefetch_related("authors")


class LiveUpdate(models.Model):
    """One update of a live story: a row of its own, so that several
    writers post at once and none of them locks the page."""

    coverage = models.ForeignKey(LiveCoverage, on_delete=models.CASCADE, related_name="updates")
    posted_at = models.DateTimeField(default=timezone.now, db_index=True)
    headline = models.CharField(max_length=140, blank=True, help_text="Optional: a few words readers scan for.")
    body = StreamField(LiveUpdateBodyBlock())
    authors = models.ManyToManyField("news.Author", related_name="live_updates", verbose_name="byline")
    key_event = models.BooleanField(default=False, help_text="Listed in the key events at the top of the story.")
    pinned = models.BooleanField(default=False, help_text="Shown above the newest update.")
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    edited_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = LiveUpdateQuerySet.as_manager()

    api_fields = [
        APIField("story", serializer=serializers.IntegerField(source="coverage_id")),
        APIField("posted_at"),
        APIField("edited_at"),
        APIField("headline"),
        APIField("byline", serializer=serializers.ListField(child=serializers.CharField(), source="byline_names")),
        APIField("key_event"),
        APIField("pinned"),
        APIField("body"),
    ]

    class Meta:
        indexes = [models.Index(fields=["coverage", "-posted_at"], name="live_update_timeline")]

    def __str__(self):
        return self.headline or f"Update {self.pk}"

    @property
    def byline_names(self):
        return [author.name for author in self.authors.all()]

    @property
    def anchor(self):
        return f"update-{self.pk}"

    @property
    def version(self):
        """Changes whenever what readers see of the update changes."""
        return int((self.edited_at or self.posted_at).timestamp() * 1000)


class LiveUpdateChange(models.Model):
    """The update's history: every post, edit, pin and removal, with who
    did it and what the update said after it."""

    class Action(models.TextChoices):
        POSTED = "posted", "Posted"
        EDITED = "edited", "Edited"
        PINNED = "pinned", "Pinned"
        UNPINNED = "unpinned", "Unpinned"
        KEY_EVENT = "key_event", "Marked as a key event"
        NOT_KEY_EVENT = "not_key_event", "No longer a key event"
        REMOVED = "removed", "Removed"
        RESTORED = "restored", "Restored"

    update = models.ForeignKey(LiveUpdate, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(max_length=20, choices=Action.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    headline = models.CharField(max_length=140, blank=True)
    body = models.JSONField(default=list)
    authors = models.JSONField(default=list, help_text="The byline's names.")
    key_event = models.BooleanField(default=False)
    pinned = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} at {self.at:%Y-%m-%d %H:%M}"

    @classmethod
    def record(cls, update, action, user):
        return cls.objects.create(
            update=update,
            action=action,
            user=user,
            headline=update.headline,
            body=update.body.get_prep_value(),
            authors=[author.name for author in update.authors.all()],
            key_event=update.key_event,
            pinned=update.pinned,
        )


class BreakingNewsBannerQuerySet(models.QuerySet):
    def showing(self, now=None):
        """Banners up now, the one to show first."""
        now = now or timezone.now()
        return self.filter(starts_at__lte=now, expires_at__gt=now).order_by("-priority", "-starts_at", "-pk")


class BreakingNewsBanner(models.Model):
    """A line above every reader page for urgent news, until it expires."""

    class Priority(models.IntegerChoices):
        DEVELOPING = 1, "Developing"
        BREAKING = 2, "Breaking"

    text = models.CharField(max_length=160, help_text="One line, e.g. 'Night Ledger wins best drama'.")
    link = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Often the live story. Readers follow it from the banner.",
    )
    priority = models.PositiveSmallIntegerField(
        choices=Priority.choices,
        default=Priority.BREAKING,
        help_text="Of two banners up at once, the higher priority shows.",
    )
    starts_at = models.DateTimeField(default=timezone.now, help_text="When it goes up: now, unless set later.")
    expires_at = models.DateTimeField(help_text="When it comes down by itself.")

    objects = BreakingNewsBannerQuerySet.as_manager()

    class Meta:
        verbose_name = "breaking-news banner"

    def __str__(self):
        return self.text

    def clean(self):
        if self.expires_at and self.starts_at and self.expires_at <= self.starts_at:
            raise ValidationError({"expires_at": "The banner must come down after it goes up."})
