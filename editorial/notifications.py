"""Newsroom notifications: who hears about which editorial event.

Handlers here run inside the editorial request. They only write
`EditorialNotification` rows (in the request's transaction) and ask Celery,
once that transaction commits, to deliver them. Nothing is sent from the
request, so a slow mail server or a dead webhook never blocks an editor.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from editorial.models import EditorialNotification
from editorial.tasks import deliver_editorial_notification
from news.models import ArticlePage
from operations.outbox import enqueue

logger = logging.getLogger(__name__)
Event = EditorialNotification.Event

SUBJECTS = {
    Event.SUBMITTED: "Ready for {task}: {title}",
    Event.APPROVED: "{task} approved: {title}",
    Event.CHANGES_REQUESTED: "Changes requested at {task}: {title}",
    Event.PUBLISHED: "Published: {title}",
    Event.COMMENT_APPROVED: "New reader comment on: {title}",
}


def record(event, event_key, page, *, users=(), emails=(), message="", actor=None, task_name=""):
    """Create the notification rows for one event and deliver them after commit."""
    title = page.get_admin_display_title() if hasattr(page, "get_admin_display_title") else str(page)
    subject = SUBJECTS[event].format(task=task_name, title=title)[:255]
    actor_name = (actor.get_full_name() or actor.get_username()) if actor is not None else ""
    targets = [(user, user.email) for user in users if user.email and user.is_active]
    targets += [(None, address) for address in emails if address]
    if settings.NEWSROOM_WEBHOOK_URL:
        targets.append((None, settings.NEWSROOM_WEBHOOK_URL))
    created = []
    seen = set()
    for user, target in targets:
        channel = (
            EditorialNotification.Channel.WEBHOOK
            if target == settings.NEWSROOM_WEBHOOK_URL
            else EditorialNotification.Channel.EMAIL
        )
        if (channel, target) in seen:
            continue
        seen.add((channel, target))
        try:
            with transaction.atomic():
                created.append(
                    EditorialNotification.objects.create(
                        event=event,
                        event_key=event_key,
                        channel=channel,
                        recipient=user,
                        target=target,
                        page=page,
                        page_title=title[:255],
                        subject=subject,
                        message=message or "",
                        actor=actor_name,
                    )
                )
        except IntegrityError:
            # The same event was signalled twice; the first row stands.
            logger.info("Duplicate %s notification for %s ignored", event, target)
    ids = [notification.pk for notification in created]
    if ids:
        transaction.on_commit(lambda: enqueue_deliveries(ids), robust=True)
    return created


def enqueue_deliveries(notification_ids):
    for notification_id in notification_ids:
        enqueue(deliver_editorial_notification, notification_id)


def group_members(groups, exclude=None):
    users = get_user_model().objects.filter(groups__in=groups, is_active=True).distinct().order_by("pk")
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return list(users)


def on_task_submitted(sender, instance, user=None, **kwargs):
    task = instance.task.specific
    groups = list(task.groups.all()) if hasattr(task, "groups") else []
    if not groups:
        return
    page = instance.workflow_state.content_object
    record(
        Event.SUBMITTED,
        f"task-submitted:{instance.pk}",
        page,
        users=group_members(groups, exclude=user),
        actor=user,
        task_name=task.name,
    )


def _notify_writer(event, task_state, user):
    """Tell the writer who started the review what a reviewer decided."""
    writer = task_state.workflow_state.requested_by
    if writer is None:
        return
    record(
        event,
        f"{event}:{task_state.pk}",
        task_state.workflow_state.content_object,
        users=[writer],
        message=task_state.get_comment(),
        actor=user,
        task_name=task_state.task.name,
    )


def on_task_approved(sender, instance, user=None, **kwargs):
    _notify_writer(Event.APPROVED, instance, user)


def on_task_rejected(sender, instance, user=None, **kwargs):
    _notify_writer(Event.CHANGES_REQUESTED, instance, user)


def on_page_published(sender, instance, revision=None, **kwargs):
    if not isinstance(instance, ArticlePage):
        return
    emails = [item.author.email for item in instance.article_authors.select_related("author") if item.author.email]
    record(
        Event.PUBLISHED,
        f"published:{revision.pk if revision else instance.live_revision_id}",
        instance,
        emails=emails,
        actor=revision.user if revision else None,
    )
