import itertools
import os
import subprocess
from pathlib import Path

from django.core.cache import caches

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.http import LocalHTTPServer, reachable
from tests.support.mail import SMTPSink
from tests.support.processes import (
    VARNISHD,
    BeatProcess,
    KillableSearchServer,
    PrivateRedis,
    WorkerProcess,
    free_port,
    varnish_config,
    wait_for,
)

# The harness lives in tests/support/; this file holds the fixtures.

# Varnish with the repository's VCL in front of the live test server: see `varnish`.


@pytest.fixture(autouse=True)
def _isolated_media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    for cache in caches.all():
        cache.clear()
    yield


@pytest.fixture
def page_cache_on(settings, tmp_path):
    """As deployed: whole pages, and under them fragments, routes, the site
    and its settings. Embedded pass: a generation file of the test's own;
    with CACHE_URL (CI's service pass) the generation lives in Redis."""
    settings.PAGE_CACHE_SECONDS = settings.FRAGMENT_CACHE_SECONDS = 600
    if settings.PAGE_CACHE_GENERATION_FILE:
        settings.PAGE_CACHE_GENERATION_FILE = str(tmp_path / "generation")


@pytest.fixture
def fragments_kept(settings, tmp_path, db):
    """Reader requests served as the bench serves "page cache off": pages
    rendered, and what they are assembled from (fragments, cards, listings,
    the site and its settings) kept. The generation is the test's own: a file
    in the embedded pass, Redis (emptied above) in CI's service pass."""
    from home.models import SiteSettings

    settings.PAGE_CACHE_SECONDS = 0
    settings.FRAGMENT_CACHE_SECONDS = 600
    if settings.PAGE_CACHE_GENERATION_FILE:
        settings.PAGE_CACHE_GENERATION_FILE = str(tmp_path / "generation")
    # Created on the first page view otherwise, and that change purges the cache.
    SiteSettings.load()


@pytest.fixture(scope="session")
def smtp_sink():
    sink = SMTPSink()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, smtp_sink, tmp_path_factory):
    """A Celery worker running in its own process for the whole session.

    Tests using it need `transactional_db` so that their rows are committed
    where the worker can read them. It sends mail over SMTP to `smtp_sink`;
    read it with `worker_mail()`.
    """
    from django.db import connection

    with django_db_blocker.unblock():
        database_name = connection.settings_dict["NAME"]
    # Reader-index updates the worker performs go to a search server of its
    # own, which fault tests may kill; tests find it at reader_search_url.
    reader_search = KillableSearchServer()
    worker = WorkerProcess(
        database_name,
        extra_env={
            "TALKIES_TEST_READER_ES_URL": reader_search.url,
            "TALKIES_TEST_SMTP_PORT": str(smtp_sink.port),
            # Armed by `worker.arm(point)`: operations/faults.py.
            "TALKIES_FAULT_POINTS_FILE": str(tmp_path_factory.mktemp("faults") / "armed"),
            # A real beat, when a test starts one, hands out work a killed
            # worker held after two seconds, not five minutes.
            "ALERT_STALE_SECONDS": "2",
            "READER_INDEX_STALE_SECONDS": "2",
            "NOTIFICATION_STALE_SECONDS": "2",
        },
    )
    worker.smtp = smtp_sink
    worker.reader_search_url = reader_search.url
    worker.reader_search = reader_search
    worker.start()
    yield worker
    worker.stop()
    reader_search.close()


@pytest.fixture
def worker(celery_worker_process):
    """The session's worker, idle, with the relay's mailbox emptied and its
    log read from this test's start.

    Teardown waits for the work the test queued, so none of it runs against
    the next test's database, and fails the test whose work is still there."""
    celery_worker_process.smtp.clear()
    if celery_worker_process.process.poll() is not None:
        celery_worker_process.restart()
    celery_worker_process.assert_idle()
    celery_worker_process.begin_test()
    yield celery_worker_process
    celery_worker_process.disarm()
    celery_worker_process.drain(timeout=120)
    # Shown by pytest only when the test failed.
    print("--- worker log (tail) ---\n" + celery_worker_process.log()[-4000:])


@pytest.fixture
def beat(tmp_path):
    """Starts a real `celery beat` process with settings overridden by
    environment variables: `beat.start(HEARTBEAT_SECONDS="1")`. Its log is
    `beat.log()`. Stopped at teardown, before the worker drains (request
    `worker` first)."""
    launcher = BeatProcess(tmp_path)
    yield launcher
    launcher.stop()


@pytest.fixture
def private_redis(tmp_path):
    """A Redis of the test's own: CI's two passes run side by side, and the
    service pass stops the machine's Redis to test a broker outage."""
    redis = PrivateRedis(tmp_path).start()
    yield redis
    redis.stop()


@pytest.fixture
def local_http_server():
    server = LocalHTTPServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (its own browser download cannot work here)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does).")
    # Playwright's sync API runs an event loop in this thread; Django's ORM
    # calls from the test body are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def browser_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


# Reader search backends, for any test that checks every one of them.
_reader_index_numbers = itertools.count()


@pytest.fixture
def reader_elasticsearch(settings, osmem_clone):
    """Point reader search at a fresh osmem clone through the official
    Elasticsearch client."""
    settings.ELASTICSEARCH_URL = osmem_clone.url
    settings.ELASTICSEARCH_NODE_CLASS = "tests.search.conftest.PlainJSONNode"
    settings.ELASTICSEARCH_INDEX_PREFIX = f"test{next(_reader_index_numbers)}"
    return osmem_clone


@pytest.fixture
def reader_opensearch(settings, osmem_clone):
    """Point reader search at a fresh osmem clone through opensearch-py, as a
    newsroom on a managed OpenSearch would configure it."""
    settings.ELASTICSEARCH_URL = None
    settings.OPENSEARCH_URL = osmem_clone.url
    settings.ELASTICSEARCH_INDEX_PREFIX = f"test{next(_reader_index_numbers)}"
    return osmem_clone


@pytest.fixture(params=["database", "elasticsearch", "opensearch"])
def backend(request):
    """Every behaviour test runs on every backend: Elasticsearch (official
    client) and OpenSearch (opensearch-py) against osmem, and the database
    (SQLite, or PostgreSQL in CI's service pass)."""
    if request.param != "database":
        request.getfixturevalue(f"reader_{request.param}")
    return request.param


@pytest.fixture
def varnish(live_server, tmp_path, settings):
    assert VARNISHD, "varnishd is missing: `make test` installs it (requirements/install-debian-packages)"
    backend_port = live_server.url.rsplit(":", 1)[1]
    vcl = varnish_config(tmp_path, backend_port)
    port = free_port()
    process = subprocess.Popen(
        [VARNISHD, "-F", "-j", "none", "-n", str(tmp_path / "varnish"), "-a", f"127.0.0.1:{port}"]
        + ["-f", str(vcl), "-s", "malloc,32m"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {"BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend", "LOCATION": url}
    }
    wait_for(lambda: reachable(url), timeout=30, message="varnishd to listen")
    yield url
    process.terminate()
    process.wait(timeout=10)
