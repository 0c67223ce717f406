import datetime

from django.conf import settings
from django.utils import timezone

from celery import shared_task

from operations.faults import fault_point
from operations.outbox import enqueue, sweep
from search import reader_index
from search.elasticsearch import engine, get_client, sync_article
from search.models import PendingIndexUpdate

# Longest wait between two tries of one update while the search server is away.
RETRY_BACKOFF_MAX = 600


# Stories per task when many change at once (a renamed franchise, say).
BATCH_SIZE = 200


def enqueue_index_update(page_id):
    enqueue(sync_reader_index, page_id)


def enqueue_index_updates(page_ids):
    for start in range(0, len(page_ids), BATCH_SIZE):
        enqueue(sync_reader_indexes, page_ids[start : start + BATCH_SIZE])


class SearchServerUnavailable(Exception):
    """The search server did not answer; Celery retries the update."""


# Celery's own retries while the search server is unreachable (about four hours).
WHILE_THE_SERVER_IS_AWAY = {
    "ignore_result": True,
    "autoretry_for": (SearchServerUnavailable,),
    "retry_backoff": 5,
    "retry_backoff_max": RETRY_BACKOFF_MAX,
    "retry_jitter": True,
    "max_retries": 30,
}


@shared_task(name="search.tasks.sync_reader_index", **WHILE_THE_SERVER_IS_AWAY)
def sync_reader_index(page_id):
    """Bring one story's entries in the reader indexes (the database's and
    the search server's) in line with the database.

    Runs after publish, unpublish, move and delete, and for every story a
    rename or a view restriction touched. While the search server is
    unreachable it retries with backoff (up to about four hours); the
    story's `PendingIndexUpdate` row stays until the index agrees, so beat
    hands the update out again if every retry fails or the message is lost.
    """
    sync_stories([page_id])


@shared_task(name="search.tasks.sync_reader_indexes", **WHILE_THE_SERVER_IS_AWAY)
def sync_reader_indexes(page_ids):
    """`sync_reader_index` for a chunk of stories."""
    sync_stories(page_ids)


def sync_stories(page_ids):
    pending = dict(PendingIndexUpdate.objects.filter(page_id__in=page_ids).values_list("page_id", "version"))
    reader_index.store(page_ids)
    fault_point("search.database_index_written")
    if engine():
        client = get_client()
        try:
            for page_id in page_ids:
                sync_article(page_id, client)
        except client.unavailable as exc:
            # A retry is planned, at most RETRY_BACKOFF_MAX away: beat leaves
            # the rows to it rather than add another.
            PendingIndexUpdate.objects.filter(page_id__in=page_ids).update(
                dispatched_at=timezone.now() + datetime.timedelta(seconds=RETRY_BACKOFF_MAX)
            )
            raise SearchServerUnavailable(str(exc)) from exc
    fault_point("search.search_server_written")
    if pending:
        PendingIndexUpdate.done_many(pending)


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


@shared_task(name="search.tasks.add_new_words", ignore_result=True)
def add_new_words():
    """Add newly indexed stories' words to the vocabulary that typo
    tolerance draws on; beat runs it every 30 s (CELERY_BEAT_SCHEDULE)."""
    while reader_index.add_new_words():
        pass
