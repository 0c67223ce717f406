"""Readers' email follows of series and franchises, and every alert sent.

Subscriber addresses are personal data: they live here, apart from the
editorial content, so they can be exported, audited and erased on their own.
"""

import secrets

from django.db import models
from django.db.models import Q


def new_token_key():
    return secrets.token_urlsafe(12)


class FollowerQuerySet(models.QuerySet):
    def reachable(self):
        """Confirmed addresses that have not unsubscribed or bounced."""
        return self.filter(confirmed_at__isnull=False, unsubscribed_at=None, bounced_at=None)


class Follower(models.Model):
    """One reader's email address. No account: signed links manage it."""

    class Frequency(models.TextChoices):
        INSTANT = "instant", "An email for each new story"
        DAILY = "daily", "One daily digest"

    email = models.EmailField(unique=True)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.INSTANT)
    # Part of every signed link; changing it voids the links already sent.
    token_key = models.CharField(max_length=32, default=new_token_key)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The confirmation task sends one email per request: requested later than sent.
    confirmation_requested_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the mail server refused the address for good."
    )
    bounce_reason = models.CharField(max_length=255, blank=True)

    objects = FollowerQuerySet.as_manager()

    class Meta:
        ordering = ["email"]
        permissions = [("export_followers", "Can export followers' addresses")]

    def __str__(self):
        return self.email


class FollowQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def of_story(self, article):
        """Follows an alert about `article` answers: its series or any of its tags."""
        topics = Q(franchise_id__in=[tag.pk for tag in article.franchise_tags.all()])
        if article.series_id:
            topics |= Q(series_id=article.series_id)
        return self.filter(topics)


class Follow(models.Model):
    """A follower's interest in one series hub or one franchise tag."""

    follower = models.ForeignKey(Follower, on_delete=models.CASCADE, related_name="follows")
    series = models.ForeignKey(
        "news.SeriesHubPage", null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    franchise = models.ForeignKey(
        "news.FranchiseTag", null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the follower opens the confirmation link sent for it.
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = FollowQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(series__isnull=False, franchise__isnull=True)
                | Q(series__isnull=True, franchise__isnull=False),
                name="follow_one_topic",
            ),
            models.UniqueConstraint(
                fields=["follower", "series"], condition=Q(series__isnull=False), name="follow_series_once"
            ),
            models.UniqueConstraint(
                fields=["follower", "franchise"], condition=Q(franchise__isnull=False), name="follow_franchise_once"
            ),
        ]
        indexes = [
            models.Index(fields=["series", "follower"], name="follow_by_series"),
            models.Index(fields=["franchise", "follower"], name="follow_by_franchise"),
        ]

    def __str__(self):
        return f"{self.follower} follows {self.topic}"

    @property
    def topic(self):
        return self.series or self.franchise


class ArticleAlert(models.Model):
    """Outbox row: a story readers can see for the first time owes its followers an alert.

    Written in the transaction that shows it to readers; one per story, ever, so edits and
    re-publishes never alert again. Workers fan it out; the beat job picks
    up any row no worker has taken.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a worker"
        FANNING_OUT = "fanning_out", "Listing recipients"
        DISPATCHED = "dispatched", "Sending"
        SKIPPED = "skipped", "Not sent (story no longer public)"

    article = models.OneToOneField("news.ArticlePage", on_delete=models.CASCADE, related_name="alert")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    recipients = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self):
        return f"Alert for {self.article_id}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RETRYING = "retrying", "Retrying"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (unsubscribed before sending)"

    UNSENT = [Status.PENDING, Status.RETRYING]

    follower = models.ForeignKey(Follower, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class AlertDelivery(Delivery):
    """One follower's copy of one story alert; the unique pair is what keeps
    retried tasks and duplicated signals from sending twice."""

    alert = models.ForeignKey(ArticleAlert, on_delete=models.CASCADE, related_name="deliveries")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "alert delivery"
        verbose_name_plural = "alert deliveries"
        constraints = [models.UniqueConstraint(fields=["alert", "follower"], name="one_alert_per_follower")]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self):
        return f"Alert {self.alert_id} → {self.follower_id}"


class DigestDelivery(Delivery):
    """One follower's daily digest for one date."""

    digest_date = models.DateField()
    story_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-digest_date", "-pk"]
        verbose_name = "digest delivery"
        verbose_name_plural = "digest deliveries"
        constraints = [models.UniqueConstraint(fields=["digest_date", "follower"], name="one_digest_per_day")]
        indexes = [models.Index(fields=["status", "updated_at"], name="digest_status_updated")]

    def __str__(self):
        return f"Digest {self.digest_date} → {self.follower_id}"
