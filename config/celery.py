import os
from pathlib import Path

from celery import Celery
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
