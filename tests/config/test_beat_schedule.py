"""Beat's schedule: every entry names a task the worker knows, and a real
`celery beat` process gets each one run by the real worker."""

import re
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

import pytest

from config.celery import app
from tests.support.processes import wait_for

SUCCEEDED = re.compile(r"Task ([\w.]+)\[[0-9a-f-]+\] succeeded")


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    registered = set(app.tasks)
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in registered, f"beat entry {name!r} names an unknown task {entry['task']!r}"


@pytest.mark.django_db(transaction=True)
def test_beat_has_the_worker_run_each_scheduled_job(worker, beat):
    # The digest's crontab set to a minute at least 30 s away, so that beat
    # is up before it starts (it fires at the minute's first second; the
    # next minute can be a second away); the sweeps every 2 seconds.
    now = timezone.localtime()
    digest_at = now + timedelta(minutes=1 if now.second < 30 else 2)
    beat.start(
        BEAT_SWEEP_SECONDS="2",
        HEARTBEAT_SECONDS="2",
        ALERT_DIGEST_HOUR=str(digest_at.hour),
        ALERT_DIGEST_MINUTE=str(digest_at.minute),
    )
    expected = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    def ran():
        return set(SUCCEEDED.findall(worker.log()))

    try:
        wait_for(lambda: expected <= ran(), timeout=180, interval=0.5, message="beat to have the worker run every job")
    except pytest.fail.Exception:
        pytest.fail(f"After 180 s the worker had still not run {sorted(expected - ran())}")
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert f"Sending due task {name} ({entry['task']})" in beat.log()
