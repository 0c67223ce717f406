import json
import logging
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from wagtail.models import Page

from celery import shared_task

from editorial.models import EditorialNotification as Notification
from operations.faults import fault_point
from operations.outbox import sweep

logger = logging.getLogger(__name__)

MAX_DELIVERY_ATTEMPTS = 6
# Rows still pending this long were never handed to the broker.
STALE_PENDING = timedelta(minutes=2)


@shared_task(name="editorial.tasks.publish_scheduled_pages", ignore_result=True)
def publish_scheduled_pages():
    """Run by beat every minute: publish stories whose go-live time has come
    and unpublish those past their expiry."""
    call_command("publish_scheduled", verbosity=0)
    # Wagtail leaves the passed go-live time on a page it has just made live;
    # clear it so the story's next edit is not mistaken for a scheduled one.
    Page.objects.filter(live=True, go_live_at__lte=timezone.now()).update(go_live_at=None)


class DeliveryFailed(Exception):
    """A delivery attempt failed and was recorded; Celery retries it."""


@shared_task(
    name="editorial.tasks.deliver_editorial_notification",
    ignore_result=True,
    autoretry_for=(DeliveryFailed,),
    retry_backoff=settings.NOTIFICATION_RETRY_BASE_SECONDS,
    retry_backoff_max=3600,
    retry_jitter=True,
    # The row's attempt count decides when to give up (MAX_DELIVERY_ATTEMPTS).
    max_retries=None,
)
def deliver_editorial_notification(notification_id):
    """Send one notification. Safe to run twice: a row is claimed before
    sending and a sent row is never sent again."""
    claimed = Notification.objects.filter(
        pk=notification_id, status__in=[Notification.Status.PENDING, Notification.Status.RETRYING]
    ).update(status=Notification.Status.SENDING, updated_at=timezone.now())
    if not claimed:
        return
    fault_point("editorial.notification_claimed")
    notification = Notification.objects.get(pk=notification_id)
    notification.attempts += 1
    try:
        if notification.channel == Notification.Channel.WEBHOOK:
            post_to_webhook(notification)
        else:
            send_notification_email(notification)
    except Exception as exc:
        notification.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
        if notification.attempts >= MAX_DELIVERY_ATTEMPTS:
            notification.status = Notification.Status.FAILED
            notification.save(update_fields=["attempts", "last_error", "status", "updated_at"])
            logger.error("Giving up on notification %s: %s", notification_id, notification.last_error)
            return
        notification.status = Notification.Status.RETRYING
        notification.save(update_fields=["attempts", "last_error", "status", "updated_at"])
        raise DeliveryFailed(notification.last_error) from exc
    # Sent and not yet marked: a worker that dies here has the sweep send it
    # again (at least once, never lost; an editor may get a copy twice).
    fault_point("editorial.notification_sent")
    notification.status = Notification.Status.SENT
    notification.sent_at = timezone.now()
    notification.last_error = ""
    notification.save(update_fields=["attempts", "status", "sent_at", "last_error", "updated_at"])


@shared_task(name="editorial.tasks.dispatch_pending_notifications", ignore_result=True)
def dispatch_pending_notifications():
    """Beat job: hand the broker any notification that never reached it, or
    whose worker died while sending."""
    now = timezone.now()
    stale = Notification.objects.filter(
        Q(status=Notification.Status.PENDING, created_at__lt=now - STALE_PENDING)
        # Stuck in "sending" this long: its worker died mid-send.
        | Q(
            status=Notification.Status.SENDING,
            updated_at__lt=now - timedelta(seconds=settings.NOTIFICATION_STALE_SECONDS),
        )
    )

    def mark(ids):
        Notification.objects.filter(pk__in=ids, status=Notification.Status.SENDING).update(
            status=Notification.Status.RETRYING
        )

    return sweep(stale, deliver_editorial_notification, limit=500, mark=mark)


def notification_context(notification):
    page_url = None
    if notification.page_id:
        page_url = f"{settings.WAGTAILADMIN_BASE_URL}/{settings.WAGTAIL_ADMIN_PATH}/pages/{notification.page_id}/edit/"
    return {"notification": notification, "edit_url": page_url}


def send_notification_email(notification):
    context = notification_context(notification)
    message = EmailMultiAlternatives(
        subject=f"[Talkies] {notification.subject}",
        body=render_to_string("editorial/email/editorial_notification.txt", context),
        to=[notification.target],
    )
    message.attach_alternative(render_to_string("editorial/email/editorial_notification.html", context), "text/html")
    message.send()


def post_to_webhook(notification):
    context = notification_context(notification)
    text = f"*{notification.subject}*"
    if notification.actor:
        text += f" (by {notification.actor})"
    if notification.message:
        text += f"\n> {notification.message}"
    if context["edit_url"]:
        text += f"\n<{context['edit_url']}|Open in Talkies>"
    request = urllib.request.Request(
        notification.target,
        data=json.dumps({"text": text}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=settings.NEWSROOM_WEBHOOK_TIMEOUT) as response:
        response.read()
