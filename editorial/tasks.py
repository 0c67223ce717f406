import json
import logging
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.management import call_command
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from wagtail.models import Page

from celery import shared_task

from editorial.models import EditorialNotification as Notification
from operations.faults import fault_point
from operations.mail import begin_handoffs, close_quietly, write_then_end
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
    notification.status = Notification.Status.SENT
    notification.sent_at = timezone.now()
    notification.last_error = ""
    try:
        if notification.channel == Notification.Channel.WEBHOOK:
            # A webhook is at least once: a worker dying between the POST
            # and the save has the sweep post it again.
            post_to_webhook(notification)
            notification.save(update_fields=["attempts", "status", "sent_at", "last_error", "updated_at"])
        else:
            send_notification_email(notification)
    except Exception as exc:
        notification.sent_at = None
        notification.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
        if notification.attempts >= MAX_DELIVERY_ATTEMPTS:
            notification.status = Notification.Status.FAILED
            notification.save(update_fields=["attempts", "last_error", "status", "sent_at", "updated_at"])
            logger.error("Giving up on notification %s: %s", notification_id, notification.last_error, exc_info=exc)
            return
        notification.status = Notification.Status.RETRYING
        notification.save(update_fields=["attempts", "last_error", "status", "sent_at", "updated_at"])
        raise DeliveryFailed(notification.last_error) from exc


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
    """Hand the email to the relay and save `notification` (marked sent) so
    that a worker killed anywhere leaves it sent once, or not sent and
    swept again: the relay takes the message only at its end of data,
    which goes out as the save commits (operations/mail.py)."""
    context = notification_context(notification)
    message = EmailMultiAlternatives(
        subject=f"[Talkies] {notification.subject}",
        body=render_to_string("editorial/email/editorial_notification.txt", context),
        to=[notification.target],
    )
    message.attach_alternative(render_to_string("editorial/email/editorial_notification.html", context), "text/html")
    connection = get_connection()
    try:
        held = begin_handoffs(connection, [message])
        if held.errors[0] is not None:
            raise held.errors[0]
        fault_point("editorial.notification_data_sent")
        write_then_end(
            lambda: notification.save(update_fields=["attempts", "status", "sent_at", "last_error", "updated_at"]),
            held,
            [0],
            "editorial.committed_before_end_of_data",
        )
        if held.errors[0] is not None:
            raise held.errors[0]  # refused at its end of data: marked for a retry by the caller
    finally:
        close_quietly(connection)


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
