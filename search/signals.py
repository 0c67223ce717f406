from django.db import transaction

from news.models import ArticlePage
from search.elasticsearch import engine
from search.models import PendingIndexUpdate
from search.tasks import enqueue_index_update


def queue_reader_index_update(sender, instance, **kwargs):
    if not engine() or not isinstance(instance.specific_deferred, ArticlePage):
        return
    page_id = instance.pk
    PendingIndexUpdate.request(page_id)
    # If the broker is down, the row waits for beat's dispatch_pending_index_updates.
    transaction.on_commit(lambda: enqueue_index_update(page_id), robust=True)
