"""Keeping both reader indexes current.

The database's reader index is written in the transaction that publishes,
unpublishes, moves or deletes a story. The search server's is written by a
task after commit, with a `PendingIndexUpdate` row as its outbox. A change
that touches many stories at once (a renamed franchise, author or series, a
section made private or public again) goes through that outbox for both,
in chunks.
"""

import logging

from django.db import DatabaseError, transaction
from django.db.models.signals import post_delete, post_save, pre_save

from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from news.models import ArticlePage, Author, FranchiseTag, SeriesHubPage
from search import reader_index
from search.elasticsearch import engine
from search.models import PendingIndexUpdate, ReaderDocument
from search.tasks import enqueue_index_update, enqueue_index_updates

logger = logging.getLogger(__name__)


def queue_reader_index_update(sender, instance, **kwargs):
    if not isinstance(instance.specific_deferred, ArticlePage):
        return
    page_id = instance.pk
    try:
        reader_index.store([page_id])
    except DatabaseError:
        # The publish stands; the outbox row below brings the document in.
        logger.exception("Could not update the reader index for story %s; the outbox will", page_id)
    else:
        if not engine():
            return
    PendingIndexUpdate.request(page_id)
    # If the broker is down, the row waits for beat's dispatch_pending_index_updates.
    transaction.on_commit(lambda: enqueue_index_update(page_id), robust=True)


def queue_reader_index_updates(page_ids):
    """Re-index these stories through the outbox: rows now, tasks on commit."""
    page_ids = sorted(set(page_ids))
    if not page_ids:
        return
    PendingIndexUpdate.request_many(page_ids)
    transaction.on_commit(lambda: enqueue_index_updates(page_ids), robust=True)


def remember_indexed_names(sender, instance, **kwargs):
    """Before an author or franchise is saved: what the documents say now."""
    if instance.pk:
        instance._indexed_names = sender.objects.filter(pk=instance.pk).values_list("name", "slug").first()


def stories_naming_author(sender, instance, created=False, **kwargs):
    if not created and getattr(instance, "_indexed_names", None) != (instance.name, instance.slug):
        queue_reader_index_updates(instance.article_credits.values_list("page_id", flat=True))


def stories_naming_franchise(sender, instance, created=False, **kwargs):
    if not created and getattr(instance, "_indexed_names", None) != (instance.name, instance.slug):
        queue_reader_index_updates(instance.tagged_articles.values_list("content_object_id", flat=True))


def stories_in_series(sender, instance, **kwargs):
    """A series hub published: its title or address may have changed."""
    queue_reader_index_updates(ArticlePage.objects.filter(series_id=instance.pk).values_list("pk", flat=True))


def stories_under_restriction(sender, instance, **kwargs):
    """A view restriction added to or lifted from a page changes which of
    the stories under it readers may find."""
    path = Page.objects.filter(pk=instance.page_id).values_list("path", flat=True).first()
    if not path:
        return
    if kwargs.get("created") is not None:
        # Restricted: out of the database's index in this transaction, not after.
        ReaderDocument.objects.filter(page__path__startswith=path).delete()
    queue_reader_index_updates(ArticlePage.objects.filter(path__startswith=path).values_list("pk", flat=True))


def connect_signals():
    for signal, name in ((page_published, "publish"), (page_unpublished, "unpublish"), (post_page_move, "move")):
        signal.connect(queue_reader_index_update, dispatch_uid=f"talkies_reader_index_{name}")
    post_delete.connect(queue_reader_index_update, sender=ArticlePage, dispatch_uid="talkies_reader_index_delete")
    for model, handler in ((Author, stories_naming_author), (FranchiseTag, stories_naming_franchise)):
        uid = f"talkies_reader_index_{model.__name__}"
        pre_save.connect(remember_indexed_names, sender=model, dispatch_uid=f"{uid}_before")
        post_save.connect(handler, sender=model, dispatch_uid=uid)
    page_published.connect(stories_in_series, sender=SeriesHubPage, dispatch_uid="talkies_reader_index_hub")
    for signal, name in ((post_save, "added"), (post_delete, "lifted")):
        signal.connect(
            stories_under_restriction, sender=PageViewRestriction, dispatch_uid=f"talkies_reader_index_{name}"
        )
