import os
import time
from pathlib import Path

from django.core.cache import caches

from celery import Celery
from celery.beat import PersistentScheduler
from celery.signals import task_prerun, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("talkies")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_filesystem_broker_folders(transport_options: dict) -> None:
    """kombu's filesystem transport needs its folders to exist before use."""
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if transport_options.get(key):
            Path(transport_options[key]).mkdir(parents=True, exist_ok=True)


@app.on_after_configure.connect
def _prepare_broker(sender, **kwargs):
    if str(sender.conf.broker_url).startswith("filesystem"):
        ensure_filesystem_broker_folders(sender.conf.broker_transport_options or {})


@worker_init.connect
def _prepare_worker_broker(sender=None, **kwargs):
    if str(app.conf.broker_url).startswith("filesystem"):
        ensure_filesystem_broker_folders(app.conf.broker_transport_options or {})


@task_prerun.connect
def _forget_cached_rows(**kwargs):
    """The test suite empties and refills the database between tests while
    one worker keeps running; cached content types would then point at rows
    that no longer exist. Only the test settings turn this on."""
    from django.conf import settings

    if getattr(settings, "CELERY_WORKER_CLEARS_CACHES_PER_TASK", False):
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()


@app.task(name="config.run_django_task", bind=True, max_retries=5)
def run_django_task(self, module_path: str, args: list, kwargs: dict):
    """Run one django-tasks task (Wagtail's index updates and the like).

    Wagtail's tasks look rows up by primary key, so running one twice is
    harmless; a failure is retried with exponential backoff.
    """
    from django.utils.module_loading import import_string

    task = import_string(module_path)
    try:
        return task.call(*args, **kwargs)
    except Exception as exc:
        if _is_missing_row(exc):
            # The object was deleted before the worker got to it: nothing to do.
            return None
        raise self.retry(exc=exc, countdown=min(2**self.request.retries * 5, 300)) from exc


def _is_missing_row(exc: Exception) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    return isinstance(exc, ObjectDoesNotExist)


# --- Heartbeats --------------------------------------------------------------
# Beat stamps one each time it wakes, and schedules `config.heartbeat`, which
# the worker that runs it stamps: /healthz sees either one stop.


def stamp_heartbeat(role: str) -> None:
    caches["heartbeats"].set(f"heartbeat:{role}", time.time(), None)


def heartbeat_age(role: str) -> float | None:
    """Seconds since `role` ("beat" or "worker") last stamped; None if never."""
    stamped = caches["heartbeats"].get(f"heartbeat:{role}")
    return None if stamped is None else max(0.0, time.time() - stamped)


class HeartbeatScheduler(PersistentScheduler):
    """Celery's own scheduler, stamping beat's heartbeat as it ticks. It wakes
    at least once per heartbeat period, since `config.heartbeat` is due then."""

    def tick(self, *args, **kwargs):
        interval = super().tick(*args, **kwargs)
        stamp_heartbeat("beat")
        return interval


@app.task(name="config.heartbeat", ignore_result=True, acks_late=False)
def heartbeat():
    stamp_heartbeat("worker")
