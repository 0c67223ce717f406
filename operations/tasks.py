from django.core.exceptions import ObjectDoesNotExist
from django.utils.module_loading import import_string

from celery import shared_task

from operations.heartbeats import stamp_heartbeat


@shared_task(name="operations.heartbeat", ignore_result=True, acks_late=False)
def heartbeat():
    stamp_heartbeat("worker")


@shared_task(
    name="operations.run_django_task",
    ignore_result=True,
    autoretry_for=(Exception,),
    dont_autoretry_for=(ObjectDoesNotExist,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def run_django_task(module_path: str, args: list, kwargs: dict):
    """Run one django-tasks task (Wagtail's index updates and the like).

    Wagtail's tasks look rows up by primary key, so running one twice is
    harmless; a failure is retried with Celery's exponential backoff. A row
    deleted before the worker got to it leaves nothing to do.
    """
    task = import_string(module_path)
    try:
        return task.call(*args, **kwargs)
    except ObjectDoesNotExist:
        return None
