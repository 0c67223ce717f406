import secrets

from django.conf import settings
from django.db import models


class EditorialNotification(models.Model):
    """One message to one recipient about one editorial event.

    Written in the same transaction as the event, then delivered by a Celery
    task; the row is the delivery log editors browse in the admin.
    """

    # A log row, not content: a page's "usage" in the admin need not list
    # the emails about it, and its save (in the mail handoff's hand-timed
    # commit) must not queue Wagtail's reference-index work.
    wagtail_reference_index_ignore = True

    class Event(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for review"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        PUBLISHED = "published", "Published"
        COMMENT_APPROVED = "comment_approved", "Reader comment approved"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        WEBHOOK = "webhook", "Newsroom webhook"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        RETRYING = "retrying", "Retrying"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    event = models.CharField(max_length=30, choices=Event.choices)
    # Identifies the occurrence (e.g. one task state or one revision), so a
    # duplicated signal cannot create a second message for the same event.
    event_key = models.CharField(max_length=100)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target = models.CharField(max_length=500, help_text="Email address or webhook URL.")
    page = models.ForeignKey("wagtailcore.Page", null=True, on_delete=models.SET_NULL, related_name="+")
    page_title = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    message = models.TextField(blank=True)
    actor = models.CharField(max_length=150, blank=True, help_text="Who caused the event.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table keeps the name it had when this model lived in news/.
        db_table = "news_editorialnotification"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "channel", "target"], name="one_notification_per_event_target"
            )
        ]
        indexes = [models.Index(fields=["status", "updated_at"])]
        verbose_name = "editorial notification"

    def __str__(self):
        return f"{self.get_event_display()}: {self.page_title} → {self.target}"


class PlannedStoryQuerySet(models.QuerySet):
    def visible_to(self, explorable_pages):
        """Pitches in sections the user may open in the admin."""
        return self.filter(section__in=explorable_pages)


class PlannedStory(models.Model):
    """A pitch on the editorial calendar: a story the desk means to run on a
    date, before anyone writes it. A writer turns it into a draft in one click."""

    working_title = models.CharField(max_length=255)
    section = models.ForeignKey("news.SectionPage", on_delete=models.CASCADE, related_name="+")
    series = models.ForeignKey(
        "news.SeriesHubPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The series the story will be about, if any.",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="planned_stories",
        help_text="Who writes it. Their calendar feed lists it.",
    )
    target_date = models.DateField(help_text="When the story should run, e.g. the day of a premiere.")
    notes = models.TextField(
        blank=True, help_text="The angle, sources and timing; becomes the draft's first paragraph."
    )
    draft = models.OneToOneField(
        "news.ArticlePage", null=True, blank=True, on_delete=models.SET_NULL, related_name="planned_as", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlannedStoryQuerySet.as_manager()

    class Meta:
        verbose_name = "planned story"
        verbose_name_plural = "planned stories"
        ordering = ["target_date", "working_title"]

    def __str__(self):
        return self.working_title


class CalendarFeed(models.Model):
    """A person's private iCal address for their assignments. Whoever holds
    the address reads the feed, so it can be replaced, which ends the old one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "calendar feed"

    def __str__(self):
        return f"Calendar feed of {self.user}"

    @classmethod
    def for_user(cls, user):
        return cls.objects.get_or_create(user=user, defaults={"token": secrets.token_urlsafe(32)})[0]

    def replace(self):
        self.token = secrets.token_urlsafe(32)
        self.save(update_fields=["token", "created_at"])
