"""The publishing side of alerts: one outbox row, in the publish transaction."""

from django.db import transaction

from alerts.models import ArticleAlert
from alerts.tasks import fan_out_article_alert
from news.models import ArticlePage
from news.models.visibility import visible_to_readers
from operations.outbox import enqueue


def record_first_publication(sender, instance, **kwargs):
    """Owe followers an alert when a story goes live for the first time.

    Wagtail sets `first_published_at` on the first publication only, so a
    later edit, correction or re-publish finds it earlier than
    `last_published_at` and alerts nobody; the one-row-per-story constraint
    absorbs a duplicated signal.
    """
    if not isinstance(instance, ArticlePage):
        return
    if instance.first_published_at != instance.last_published_at:
        return
    if not visible_to_readers(ArticlePage.objects.filter(pk=instance.pk)).exists():
        return  # private stories never go to followers
    alert, created = ArticleAlert.objects.get_or_create(article_id=instance.pk)
    if created:
        transaction.on_commit(lambda: enqueue_fan_out(alert.pk), robust=True)


def enqueue_fan_out(alert_id):
    # With the broker down the row stays pending for `dispatch_pending_alerts`.
    enqueue(fan_out_article_alert, alert_id)
