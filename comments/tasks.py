from django.db import transaction
from django.utils import timezone

from celery import shared_task

from comments.models import ReaderComment
from comments.moderation import SERVICE_ERRORS, approve, is_trusted, spam_reason


@shared_task(
    name="comments.tasks.check_reader_comment",
    ignore_result=True,
    autoretry_for=SERVICE_ERRORS,
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
)
def check_reader_comment(comment_id):
    """Spam-check a new comment; approve it if its address is trusted.

    Idempotent: only a pending, unchecked comment is acted on. While the spam
    service cannot be reached it retries with backoff; if it never answers the
    comment simply stays in the moderation queue.
    """
    comment = ReaderComment.objects.select_related("page").filter(pk=comment_id, spam_checked_at=None).first()
    if comment is None or comment.status != ReaderComment.Status.PENDING:
        return
    reason = spam_reason(comment)
    with transaction.atomic():
        claimed = ReaderComment.objects.filter(
            pk=comment.pk, status=ReaderComment.Status.PENDING, spam_checked_at=None
        ).update(
            spam_checked_at=timezone.now(),
            status=ReaderComment.Status.SPAM if reason else ReaderComment.Status.PENDING,
            spam_reason=reason,
            # Needed only for the check: not kept.
            user_ip=None,
            user_agent="",
        )
        if claimed and not reason and is_trusted(comment):
            approve([comment])
