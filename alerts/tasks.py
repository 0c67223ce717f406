"""Alert work for the Celery workers. Every task takes ids and is safe to
run twice: rows are claimed before anything is sent."""

import logging
from datetime import datetime, time, timedelta
from itertools import islice

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from celery import shared_task

from alerts.delivery import send_rows
from alerts.emails import ArticleAlertEmail, confirmation_message, default_site, digest_message
from alerts.models import AlertDelivery, ArticleAlert, Delivery, DigestDelivery, Follow, Follower
from news.models import ArticlePage
from news.models.visibility import visible_to_readers
from operations.faults import fault_point
from operations.outbox import sweep

logger = logging.getLogger(__name__)
INSERT_BATCH = 5000


class DeliveriesToRetry(Exception):
    """Some messages of a chunk were not accepted yet; Celery retries the chunk."""


# One backoff for every alert task (Celery's own): ALERT_RETRY_BASE_SECONDS,
# doubling, at most an hour apart, with jitter so retries do not arrive together.
RETRY = {
    "retry_backoff": settings.ALERT_RETRY_BASE_SECONDS,
    "retry_backoff_max": 3600,
    "retry_jitter": True,
}


@shared_task(
    name="alerts.tasks.send_follow_confirmation",
    ignore_result=True,
    autoretry_for=(Exception,),
    max_retries=6,
    **RETRY,
)
def send_follow_confirmation(follower_id):
    """Email the confirmation link (or, for topics already followed, the
    preferences link). Sends once per request the reader made."""
    now = timezone.now()
    claimed = (
        Follower.objects.filter(pk=follower_id, confirmation_requested_at__isnull=False)
        .filter(Q(confirmation_sent_at=None) | Q(confirmation_sent_at__lt=F("confirmation_requested_at")))
        .update(confirmation_sent_at=now)
    )
    if not claimed:
        return
    follower = Follower.objects.get(pk=follower_id)
    follows = list(follower.follows.select_related("series", "franchise"))
    pending = [follow.topic for follow in follows if follow.confirmed_at is None]
    followed = [follow.topic for follow in follows if follow.confirmed_at is not None]
    try:
        confirmation_message(follower, pending, followed).send()
    except Exception:
        Follower.objects.filter(pk=follower_id).update(confirmation_sent_at=None)
        raise


def is_public(article):
    return visible_to_readers(ArticlePage.objects.filter(pk=article.pk)).exists()


@shared_task(name="alerts.tasks.fan_out_article_alert", ignore_result=True)
def fan_out_article_alert(alert_id):
    """List every instant follower of the story's topics as a delivery row,
    then queue the rows in small chunks. Re-running adds no duplicates."""
    claimed = ArticleAlert.objects.filter(
        pk=alert_id, status__in=[ArticleAlert.Status.PENDING, ArticleAlert.Status.FANNING_OUT]
    ).update(status=ArticleAlert.Status.FANNING_OUT, updated_at=timezone.now())
    if not claimed:
        return
    alert = ArticleAlert.objects.select_related("article").get(pk=alert_id)
    article = alert.article
    if not is_public(article):
        ArticleAlert.objects.filter(pk=alert_id).update(status=ArticleAlert.Status.SKIPPED, updated_at=timezone.now())
        return
    record_deliveries(
        Follow.objects.confirmed().of_story(article),
        Follower.Frequency.INSTANT,
        lambda follower_id: AlertDelivery(alert_id=alert_id, follower_id=follower_id),
    )
    ArticleAlert.objects.filter(pk=alert_id).update(
        status=ArticleAlert.Status.DISPATCHED,
        recipients=AlertDelivery.objects.filter(alert_id=alert_id).count(),
        updated_at=timezone.now(),
    )
    enqueue_chunks(
        AlertDelivery.objects.filter(alert_id=alert_id, status__in=Delivery.UNSENT),
        lambda first, last: send_article_alert_chunk.delay(alert_id, first, last),
    )


def record_deliveries(follows, frequency, new_row):
    """One delivery row per reachable follower with `frequency` among
    `follows`, inserted in batches; rows that exist already are kept."""
    recipients = (
        Follower.objects.reachable()
        .filter(frequency=frequency, pk__in=follows.values("follower_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
        .iterator(chunk_size=INSERT_BATCH)
    )
    while batch := list(islice(recipients, INSERT_BATCH)):
        model = type(new_row(batch[0]))
        model.objects.bulk_create([new_row(follower_id) for follower_id in batch], ignore_conflicts=True)


def enqueue_chunks(rows, enqueue):
    """Queue `rows` as id ranges of ALERT_CHUNK_SIZE: many small tasks, so a
    lost or retried one redoes little. Returns the number of chunks."""
    ids = rows.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=INSERT_BATCH)
    chunks = 0
    while chunk := list(islice(ids, settings.ALERT_CHUNK_SIZE)):
        if chunks:
            fault_point("alerts.between_chunks_queued")
        enqueue(chunk[0], chunk[-1])
        chunks += 1
    return chunks


@shared_task(
    name="alerts.tasks.send_article_alert_chunk",
    ignore_result=True,
    autoretry_for=(DeliveriesToRetry,),
    max_retries=None,
    **RETRY,
)
def send_article_alert_chunk(alert_id, first_id, last_id):
    alert = ArticleAlert.objects.select_related("article", "article__series").filter(pk=alert_id).first()
    if alert is None:
        return
    rows = AlertDelivery.objects.filter(alert_id=alert_id, pk__range=(first_id, last_id), status__in=Delivery.UNSENT)
    if not is_public(alert.article):
        # Unpublished or restricted since: the rest of its followers hear nothing.
        rows.update(status=Delivery.Status.SKIPPED, updated_at=timezone.now())
        return
    email = ArticleAlertEmail(alert.article)
    to_retry = send_rows(
        list(rows.select_related("follower").order_by("pk")),
        lambda row: email.for_follower(row.follower),
        lambda row: email.prepared_for(row.follower),
    )
    if to_retry:
        raise DeliveriesToRetry(f"{to_retry} of the chunk's messages")


def digest_window(digest_date):
    """The 24 hours before the digest's send time on `digest_date`."""
    end = timezone.make_aware(datetime.combine(digest_date, time(settings.ALERT_DIGEST_HOUR)))
    return end - timedelta(days=1), end


def digest_stories(digest_date):
    """Stories readers first saw in the digest's window: published in it, or
    published earlier behind a restriction and alerted (made public) in it."""
    start, end = digest_window(digest_date)
    return list(
        ArticlePage.objects.cards()
        .filter(
            Q(first_published_at__gte=start, first_published_at__lt=end)
            | Q(alert__created_at__gte=start, alert__created_at__lt=end)
        )
        .order_by("first_published_at", "pk")
    )


@shared_task(name="alerts.tasks.send_daily_digests", ignore_result=True)
def send_daily_digests(digest_date=None):
    """Beat job at ALERT_DIGEST_HOUR: one digest per daily follower whose
    topics had new stories in the past 24 hours."""
    digest_date = datetime.fromisoformat(digest_date).date() if digest_date else timezone.localdate()
    stories = digest_stories(digest_date)
    series_ids = {story.series_id for story in stories if story.series_id}
    tag_ids = {tag.pk for story in stories for tag in story.franchise_tags.all()}
    if not stories:
        return
    record_deliveries(
        Follow.objects.confirmed().filter(Q(series_id__in=series_ids) | Q(franchise_id__in=tag_ids)),
        Follower.Frequency.DAILY,
        lambda follower_id: DigestDelivery(digest_date=digest_date, follower_id=follower_id),
    )
    enqueue_chunks(
        DigestDelivery.objects.filter(digest_date=digest_date, status__in=Delivery.UNSENT),
        lambda first, last: send_digest_chunk.delay(digest_date.isoformat(), first, last),
    )


@shared_task(
    name="alerts.tasks.send_digest_chunk",
    ignore_result=True,
    autoretry_for=(DeliveriesToRetry,),
    max_retries=None,
    **RETRY,
)
def send_digest_chunk(digest_date, first_id, last_id):
    digest_date = datetime.fromisoformat(digest_date).date()
    rows = list(
        DigestDelivery.objects.filter(
            digest_date=digest_date, pk__range=(first_id, last_id), status__in=Delivery.UNSENT
        )
        .select_related("follower")
        .order_by("pk")
    )
    if not rows:
        return
    stories = digest_stories(digest_date)
    follows_by_follower = {}
    for follow in (
        Follow.objects.confirmed()
        .filter(follower_id__in=[row.follower_id for row in rows])
        .select_related("series", "franchise")
        .order_by("series__title", "franchise__name")
    ):
        follows_by_follower.setdefault(follow.follower_id, []).append(follow)
    groups = {row.pk: digest_groups(follows_by_follower.get(row.follower_id, []), stories) for row in rows}
    for row in rows:
        row.story_count = len({story.pk for _, _, group in groups[row.pk] for story in group})
    DigestDelivery.objects.bulk_update(rows, ["story_count"])
    site = default_site()

    def build(row):
        return digest_message(row.follower, digest_date, groups[row.pk], site)

    if to_retry := send_rows(rows, build):
        raise DeliveriesToRetry(f"{to_retry} of the chunk's messages")


def digest_groups(follows, stories):
    """Stories grouped under the follower's topics; each story listed once,
    under its series if followed, else under its first followed franchise."""
    listed = set()
    groups = []
    for follow in sorted(follows, key=lambda follow: follow.series_id is None):
        if follow.series_id:
            matching = [story for story in stories if story.series_id == follow.series_id]
        else:
            matching = [
                story for story in stories if any(tag.pk == follow.franchise_id for tag in story.franchise_tags.all())
            ]
        matching = [story for story in matching if story.pk not in listed]
        if matching:
            listed.update(story.pk for story in matching)
            topic = follow.topic
            url = topic.url if follow.series_id else topic.get_absolute_url()
            groups.append((str(topic), url, matching))
    return groups


@shared_task(name="alerts.tasks.dispatch_pending_alerts", ignore_result=True)
def dispatch_pending_alerts():
    """Beat job: hand the workers whatever none of them has taken (the
    broker was down at publish time, or a worker died mid-task)."""
    stale = timezone.now() - timedelta(seconds=settings.ALERT_STALE_SECONDS)
    alerts = ArticleAlert.objects.filter(
        status__in=[ArticleAlert.Status.PENDING, ArticleAlert.Status.FANNING_OUT], updated_at__lt=stale
    )
    sweep(alerts, fan_out_article_alert, limit=100)
    stuck_alerts = AlertDelivery.objects.filter(status__in=Delivery.UNSENT, updated_at__lt=stale)
    for alert_id in stuck_alerts.values_list("alert_id", flat=True).distinct().order_by()[:100]:
        redispatch(
            stuck_alerts.filter(alert_id=alert_id),
            lambda first, last, alert_id=alert_id: send_article_alert_chunk.delay(alert_id, first, last),
        )
    stuck_digests = DigestDelivery.objects.filter(status__in=Delivery.UNSENT, updated_at__lt=stale)
    for day in stuck_digests.values_list("digest_date", flat=True).distinct().order_by()[:10]:
        redispatch(
            stuck_digests.filter(digest_date=day),
            lambda first, last, day=day: send_digest_chunk.delay(day.isoformat(), first, last),
        )


def redispatch(rows, enqueue):
    """Queue stuck rows again, then mark them touched so the next sweep
    leaves them to these tasks (if queueing fails they stay stuck)."""
    enqueue_chunks(rows, enqueue)
    rows.model.objects.filter(pk__in=rows.values("pk")).update(updated_at=timezone.now())
