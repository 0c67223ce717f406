from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Reader search"

    def ready(self):
        from django.db.models.signals import post_delete

        from wagtail.signals import page_published, page_unpublished, post_page_move

        from news.models import ArticlePage

        page_published.connect(_queue_sync, dispatch_uid="talkies_reader_index_publish")
        page_unpublished.connect(_queue_sync, dispatch_uid="talkies_reader_index_unpublish")
        post_page_move.connect(_queue_sync, dispatch_uid="talkies_reader_index_move")
        post_delete.connect(_queue_sync, sender=ArticlePage, dispatch_uid="talkies_reader_index_delete")

        from operations.health import register_probe
        from search.health import check_search

        register_probe("search", check_search)


def _queue_sync(sender, instance, **kwargs):
    from django.db import transaction

    from news.models import ArticlePage
    from search.elasticsearch import engine
    from search.models import PendingIndexUpdate
    from search.tasks import enqueue_index_update

    if not engine() or not isinstance(instance.specific_deferred, ArticlePage):
        return
    page_id = instance.pk
    PendingIndexUpdate.request(page_id)
    # If the broker is down, the row waits for beat's dispatch_pending_index_updates.
    transaction.on_commit(lambda: enqueue_index_update(page_id), robust=True)
