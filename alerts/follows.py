"""What following, confirming and unsubscribing do to the rows."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from alerts.models import Follow, Follower
from alerts.tasks import send_follow_confirmation
from news.models import SeriesHubPage


def request_follow(email, topics, frequency, send_confirmation=True):
    """Record the wish and email a confirmation link, once the request commits.

    The caller shows the same answer whatever happens here, so nobody learns
    whether an address is known. A stranger's request adds only unconfirmed
    follows: nothing is sent to the address but the confirmation email,
    and the view sends that at most ALERT_CONFIRMATIONS_PER_ADDRESS times an
    hour (`send_confirmation`).
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                follower, created = Follower.objects.get_or_create(email=email, defaults={"frequency": frequency})
        except IntegrityError:  # the same address, submitted twice at once
            follower = Follower.objects.get(email=email)
        for topic in topics:
            key = {"series": topic} if isinstance(topic, SeriesHubPage) else {"franchise": topic}
            Follow.objects.get_or_create(follower=follower, **key)
        if not send_confirmation:
            return
        Follower.objects.filter(pk=follower.pk).update(confirmation_requested_at=timezone.now())
        transaction.on_commit(lambda: send_follow_confirmation.delay(follower.pk), robust=True)


def confirm_follows(follower):
    now = timezone.now()
    with transaction.atomic():
        follower.follows.filter(confirmed_at=None).update(confirmed_at=now)
        follower.confirmed_at = follower.confirmed_at or now
        # Opening the link proves the address works and is wanted again.
        follower.unsubscribed_at = None
        follower.bounced_at = None
        follower.bounce_reason = ""
        follower.save(update_fields=["confirmed_at", "unsubscribed_at", "bounced_at", "bounce_reason"])


def unsubscribe_all(follower):
    with transaction.atomic():
        follower.follows.all().delete()
        if follower.unsubscribed_at is None:
            follower.unsubscribed_at = timezone.now()
            follower.save(update_fields=["unsubscribed_at"])
