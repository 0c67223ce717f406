"""/healthz sees a dead beat and a dead worker through their heartbeats:
a real `celery beat` and the session's real worker, stamping every second."""

import pytest

from tests.support.processes import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def killable_worker(worker):
    """The session's worker, started again after the test kills it: other
    tests use it through `celery_worker_process`, which does not restart it."""
    yield worker
    if worker.process.poll() is not None:
        worker.restart()


def health(client):
    response = client.get("/healthz")
    return response.status_code, response.json()["checks"]


def test_healthz_turns_unhealthy_when_the_worker_or_beat_stops(client, settings, killable_worker, beat):
    worker = killable_worker
    settings.HEALTHZ_CHECKS_HEARTBEATS = True
    settings.HEARTBEAT_SECONDS = 1
    beat.start(HEARTBEAT_SECONDS="1")

    def healthy():
        status, checks = health(client)
        return status == 200 and checks["beat"]["ok"] and checks["worker"]["ok"]

    wait_for(healthy, timeout=60, message="beat and worker heartbeats")

    worker.kill()
    status, checks = wait_for(
        lambda: (lambda seen: seen if not seen[1]["worker"]["ok"] else None)(health(client)),
        timeout=30,
        message="/healthz to notice the dead worker",
    )
    assert status == 503
    assert checks["beat"]["ok"]
    assert "no Celery worker is taking tasks" in checks["worker"]["detail"]

    beat.kill()
    status, checks = wait_for(
        lambda: (lambda seen: seen if not seen[1]["beat"]["ok"] else None)(health(client)),
        timeout=30,
        message="/healthz to notice the dead beat",
    )
    assert status == 503
    assert "scheduled publishing, outbox sweeps and digests have stopped" in checks["beat"]["detail"]
    assert client.get("/healthz").json()["down"] == ["beat", "worker"]


def test_healthz_names_a_beat_that_never_started(client, settings):
    settings.HEALTHZ_CHECKS_HEARTBEATS = True
    status, checks = health(client)
    assert status == 503
    assert checks["beat"]["detail"].startswith("no beat heartbeat yet")
