"""The publishing side of alerts: one outbox row per story, written in the
transaction that first lets readers see it."""

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from wagtail.models import Page

from alerts.models import ArticleAlert
from alerts.tasks import fan_out_article_alert
from news.models import ArticlePage
from news.models.visibility import visible_to_readers
from operations.outbox import enqueue


def owe_alerts(stories):
    """Owe followers one alert for each of `stories` that readers can see now
    and that has never been alerted.

    The row is the record that followers were told, one per story, ever: an
    edit, a correction or a re-publish finds it and alerts nobody, and the
    one-row-per-story constraint absorbs a duplicated signal. A story that
    first went live more than ALERT_NEWS_WINDOW_HOURS ago is no longer news
    when readers first see it (a private section opened to everyone would
    otherwise mail its whole back catalogue), so it is not alerted.
    """
    news_since = timezone.now() - timedelta(hours=settings.ALERT_NEWS_WINDOW_HOURS)
    owed = (
        visible_to_readers(stories)
        .filter(alert__isnull=True, first_published_at__gte=news_since)
        .values_list("pk", flat=True)
    )
    for story_id in owed:
        alert, created = ArticleAlert.objects.get_or_create(article_id=story_id)
        if created:
            transaction.on_commit(partial(enqueue_fan_out, alert.pk), robust=True)


def stories_under(page_id):
    path = Page.objects.filter(pk=page_id).values_list("path", flat=True).first()
    return ArticlePage.objects.filter(path__startswith=path) if path else ArticlePage.objects.none()


def record_publication(sender, instance, **kwargs):
    """Published (the first time, or again after being private): alerted if readers can see it now."""
    if isinstance(instance, ArticlePage):
        owe_alerts(ArticlePage.objects.filter(pk=instance.pk))


def record_restriction_lifted(sender, instance, **kwargs):
    """A view restriction removed: the stories under it may be public now."""
    owe_alerts(stories_under(instance.page_id))


def record_move(sender, instance, **kwargs):
    """A story, or a section of them, moved out from under a restriction."""
    owe_alerts(stories_under(instance.pk))


def enqueue_fan_out(alert_id):
    # With the broker down the row stays pending for `dispatch_pending_alerts`.
    enqueue(fan_out_article_alert, alert_id)
