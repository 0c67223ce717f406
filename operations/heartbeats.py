"""Beat stamps a heartbeat each time it wakes, and schedules
`operations.heartbeat`, which the worker that runs it stamps: /healthz sees
either one stop. The stamps live in the `heartbeats` cache (Redis, or files
under var/ when there is no Redis), shared by web, worker and beat."""

import time

from django.core.cache import caches

from celery.beat import PersistentScheduler


def stamp_heartbeat(role: str) -> None:
    caches["heartbeats"].set(f"heartbeat:{role}", time.time(), None)


def heartbeat_age(role: str) -> float | None:
    """Seconds since `role` ("beat" or "worker") last stamped; None if never."""
    stamped = caches["heartbeats"].get(f"heartbeat:{role}")
    return None if stamped is None else max(0.0, time.time() - stamped)


def stamp_worker_started(**kwargs):
    stamp_heartbeat("worker")


class HeartbeatScheduler(PersistentScheduler):
    """Celery's own scheduler, stamping beat's heartbeat as it ticks. It wakes
    at least once per heartbeat period, since `operations.heartbeat` is due then."""

    def tick(self, *args, **kwargs):
        interval = super().tick(*args, **kwargs)
        stamp_heartbeat("beat")
        return interval
