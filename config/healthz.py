"""`/healthz`: one JSON answer for load balancers and on-call editors.

200 when every service Talkies depends on answers; 503 naming what is down.
Each probe is short and bounded so a dead service cannot hang the check.
"""

import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app, heartbeat_age

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
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        # Redis connects lazily: without a real command a dead server looks up.
        client = getattr(conn.default_channel, "client", None)
        if client is not None and hasattr(client, "ping"):
            client.ping()
        return conn.transport.driver_type


def check_search() -> str:

    from wagtail.search.backends import get_search_backend

    from search.elasticsearch import engine, get_client

    if engine() and not get_client().ping():
        raise RuntimeError(f"reader search is degraded: {engine()} did not answer; pages search the database")
    backend = get_search_backend()
    client = getattr(backend, "es", None) or getattr(backend, "client", None)
    if client is not None and not client.ping():
        raise RuntimeError("search server did not answer a ping")
    return backend.__class__.__module__.rsplit(".", 1)[-1]


def check_scheduled_publishing() -> str:
    from news.dashboard import missed_go_lives

    missed = missed_go_lives().count()
    if missed:
        raise RuntimeError(f"{missed} scheduled stories missed their go-live time")
    return "on time"


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


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "search": check_search,
    "scheduled_publishing": check_scheduled_publishing,
}
HEARTBEAT_CHECKS = {
    "beat": heartbeat_probe("beat", "scheduled publishing, outbox sweeps and digests have stopped"),
    "worker": heartbeat_probe("worker", "no Celery worker is taking tasks"),
}


def run_checks() -> dict[str, dict]:
    results = {}
    checks = {**CHECKS, **HEARTBEAT_CHECKS} if settings.HEALTHZ_CHECKS_HEARTBEATS else CHECKS
    for name, probe in checks.items():
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
