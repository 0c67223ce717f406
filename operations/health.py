"""`/healthz`: one JSON answer for load balancers and on-call editors.

200 when every service Talkies depends on answers; 503 naming what is down.
Each probe is short and bounded so a dead service cannot hang the check.
This app probes the database, the cache, the broker and the heartbeats;
other apps add their own in their ready() with `register_probe` (search its
server, editorial the scheduled stories).
"""

import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from celery import current_app

from operations.heartbeats import heartbeat_age

logger = logging.getLogger(__name__)


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def check_cache() -> str:
    key = "healthz:probe"
    value = str(time.monotonic())
    cache = caches["default"]
    cache.set(key, value, 10)
    if cache.get(key) != value:
        raise RuntimeError("cache did not return what was stored")
    return cache.__class__.__name__


def check_broker() -> str:
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        # Redis connects lazily: without a real command a dead server looks up.
        client = getattr(conn.default_channel, "client", None)
        if client is not None and hasattr(client, "ping"):
            client.ping()
        return conn.transport.driver_type


def heartbeat_probe(role, what_stops):
    def check() -> str:
        age = heartbeat_age(role)
        limit = settings.HEARTBEAT_SECONDS * settings.HEARTBEAT_MISSED_PERIODS
        if age is None:
            raise RuntimeError(f"no {role} heartbeat yet: {what_stops}")
        if age > limit:
            raise RuntimeError(f"last {role} heartbeat {age:.0f} s ago (limit {limit} s): {what_stops}")
        return f"{age:.0f} s ago"

    return check


check_beat = heartbeat_probe("beat", "scheduled publishing, outbox sweeps and digests have stopped")
check_worker = heartbeat_probe("worker", "no Celery worker is taking tasks, or the queue is far behind")

# name -> (probe, when): a probe raises to say its service is down; `when`,
# if given, says whether it applies in this configuration.
PROBES = {}


def heartbeats_checked():
    """Beat and the worker are expected wherever Talkies runs; the test suite,
    which runs neither beside most tests, turns this off."""
    return settings.HEALTHZ_CHECKS_HEARTBEATS


def register_probe(name, probe, when=None):
    PROBES[name] = (probe, when)


def run_checks() -> dict[str, dict]:
    results = {}
    for name, (probe, when) in PROBES.items():
        if when is not None and not when():
            continue
        started = time.monotonic()
        try:
            detail = probe()
            results[name] = {"ok": True, "backend": str(detail)}
        except Exception as exc:
            logger.warning("healthz: %s is down: %s", name, exc)
            results[name] = {"ok": False, "error": exc.__class__.__name__}
            if isinstance(exc, RuntimeError):
                # Our own probes explain themselves; library errors may leak internals.
                results[name]["detail"] = str(exc)
        results[name]["ms"] = round((time.monotonic() - started) * 1000, 1)
    return results


@never_cache
@require_GET
def healthz(request):
    results = run_checks()
    down = sorted(name for name, result in results.items() if not result["ok"])
    body = {"status": "ok" if not down else "down", "down": down, "checks": results}
    return JsonResponse(body, status=200 if not down else 503)
