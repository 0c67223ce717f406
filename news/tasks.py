import logging

from django.core.management import call_command

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="news.tasks.publish_scheduled_pages", ignore_result=True)
def publish_scheduled_pages():
    """Run by beat every minute: publish stories whose go-live time has come
    and unpublish those past their expiry. Wagtail's command is idempotent."""
    call_command("publish_scheduled", verbosity=0)
