import datetime
import logging

from django.conf import settings
from django.utils import timezone

from celery import shared_task

from search.elasticsearch import engine, get_client, sync_article
from search.models import PendingIndexUpdate

logger = logging.getLogger(__name__)


def enqueue_index_update(page_id):
    try:
        sync_reader_index.delay(page_id)
    except Exception:
        logger.exception("Could not queue a reader-index update for story %s; beat will hand it out", page_id)


@shared_task(
    name="search.tasks.sync_reader_index",
    bind=True,
    ignore_result=True,
    max_retries=30,
)
def sync_reader_index(self, page_id):
    """Bring one story's entry in the reader index in line with the database.

    Runs after publish, unpublish, move and delete. While Elasticsearch is
    unreachable it retries with backoff (up to about four hours); the
    story's `PendingIndexUpdate` row stays until the index agrees, so beat
    hands the update out again if every retry fails or the message is lost.
    """
    if not engine():
        return
    pending = PendingIndexUpdate.objects.filter(page_id=page_id).values_list("version", flat=True).first()
    client = get_client()
    try:
        sync_article(page_id, client)
    except client.unavailable as exc:
        countdown = min(600, 5 * 2**self.request.retries)
        # A retry is planned: beat leaves the row to it rather than add another.
        PendingIndexUpdate.objects.filter(page_id=page_id).update(
            dispatched_at=timezone.now() + datetime.timedelta(seconds=countdown)
        )
        raise self.retry(exc=exc, countdown=countdown) from exc
    if pending is not None:
        PendingIndexUpdate.done(page_id, pending)


@shared_task(name="search.tasks.dispatch_pending_index_updates", ignore_result=True)
def dispatch_pending_index_updates():
    """Hand out reader-index updates that no worker has finished: the broker
    was down when they were requested, or every retry failed."""
    stale = timezone.now() - datetime.timedelta(seconds=settings.READER_INDEX_STALE_SECONDS)
    page_ids = list(
        PendingIndexUpdate.objects.filter(dispatched_at__lte=stale).values_list("page_id", flat=True)[:1000]
    )
    PendingIndexUpdate.objects.filter(page_id__in=page_ids).update(dispatched_at=timezone.now())
    for page_id in page_ids:
        sync_reader_index.delay(page_id)
    return len(page_ids)
