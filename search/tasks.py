import datetime

from django.conf import settings
from django.utils import timezone

from celery import shared_task

from operations.outbox import enqueue, sweep
from search.elasticsearch import engine, get_client, sync_article
from search.models import PendingIndexUpdate

# Longest wait between two tries of one update while the search server is away.
RETRY_BACKOFF_MAX = 600


def enqueue_index_update(page_id):
    enqueue(sync_reader_index, page_id)


class SearchServerUnavailable(Exception):
    """The search server did not answer; Celery retries the update."""


@shared_task(
    name="search.tasks.sync_reader_index",
    ignore_result=True,
    autoretry_for=(SearchServerUnavailable,),
    retry_backoff=5,
    retry_backoff_max=RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=30,
)
def sync_reader_index(page_id):
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
        # A retry is planned, at most RETRY_BACKOFF_MAX away: beat leaves the
        # row to it rather than add another.
        PendingIndexUpdate.objects.filter(page_id=page_id).update(
            dispatched_at=timezone.now() + datetime.timedelta(seconds=RETRY_BACKOFF_MAX)
        )
        raise SearchServerUnavailable(str(exc)) from exc
    if pending is not None:
        PendingIndexUpdate.done(page_id, pending)


@shared_task(name="search.tasks.dispatch_pending_index_updates", ignore_result=True)
def dispatch_pending_index_updates():
    """Hand out reader-index updates that no worker has finished: the broker
    was down when they were requested, or every retry failed."""
    stale = timezone.now() - datetime.timedelta(seconds=settings.READER_INDEX_STALE_SECONDS)
    return sweep(
        PendingIndexUpdate.objects.filter(dispatched_at__lte=stale),
        sync_reader_index,
        limit=1000,
        key="page_id",
        mark=lambda ids: PendingIndexUpdate.objects.filter(page_id__in=ids).update(dispatched_at=timezone.now()),
    )
