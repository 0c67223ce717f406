from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone


class ReaderCommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=ReaderComment.Status.APPROVED)

    def pending(self):
        return self.filter(status=ReaderComment.Status.PENDING)

    def thread_for(self, page):
        """Approved top-level comments on a story, oldest first, with their
        approved replies: two queries however many there are."""
        approved_replies = ReaderComment.objects.approved().order_by("created_at", "pk")
        replies = models.Prefetch("replies", queryset=approved_replies, to_attr="approved_replies")
        return self.approved().filter(page=page, parent=None).order_by("created_at", "pk").prefetch_related(replies)


class ReaderComment(models.Model):
    """A reader's comment under a story. Waits for moderation unless the same
    address already has an approved comment; spam goes to the spam folder
    (status "spam"), never straight to the bin, so a false positive can be
    rescued."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting moderation"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"

    page = models.ForeignKey("news.ArticlePage", on_delete=models.CASCADE, related_name="reader_comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies", verbose_name="reply to"
    )
    name = models.CharField(max_length=80)
    email = models.EmailField(help_text="Never shown to readers.")
    body = models.TextField("comment", max_length=5000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    spam_reason = models.CharField(max_length=200, blank=True)
    # Only for the spam check (Akismet needs them); cleared once it has run.
    user_ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    spam_checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = ReaderCommentQuerySet.as_manager()

    class Meta:
        # The table keeps the name it had when this model lived in news/.
        db_table = "news_readercomment"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["page", "status", "created_at"])]
        permissions = [("moderate_readercomment", "Can moderate reader comments")]
        verbose_name = "reader comment"

    def __str__(self):
        return f"{self.name} on {self.page_id}: {self.body[:40]}"


def approved_comment_count():
    """A story card's count of approved comments, as a correlated subquery in
    the listing's own query (see news.models.article.CARD_ANNOTATIONS)."""
    approved = (
        ReaderComment.objects.approved()
        .filter(page=models.OuterRef("pk"))
        .order_by()
        .values("page")
        .annotate(count=models.Count("pk"))
        .values("count")
    )
    return Coalesce(models.Subquery(approved), 0)
