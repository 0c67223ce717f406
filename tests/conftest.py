import itertools
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.core.cache import caches

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    for cache in caches.all():
        cache.clear()
    yield


def wait_for(predicate, timeout=30.0, interval=0.1, message="condition"):
    """Poll until `predicate()` is truthy; fail with `message` on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"Timed out after {timeout}s waiting for {message}")


class WorkerProcess:
    """A real `celery worker` process, on the broker and database the tests use."""

    def __init__(self, database_name, mail_dir, extra_env=None):
        self.database_name = database_name
        self.mail_dir = mail_dir
        self.extra_env = extra_env or {}
        self.process = None
        self.output = []
        self.ready = threading.Event()

    def start(self):
        from config.celery import app

        # Messages left on a shared broker (Redis) by earlier runs must not run here.
        app.control.purge()
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.test",
            TALKIES_WORKER_DATABASE_NAME=str(self.database_name),
            TALKIES_TEST_MAIL_DIR=str(self.mail_dir),
            PYTHONUNBUFFERED="1",
            **self.extra_env,
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=test-worker-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read_output, daemon=True).start()
        if not self.ready.wait(60):
            self.stop()
            pytest.fail("Celery worker did not start:\n" + "".join(self.output[-50:]))
        return self

    def _read_output(self):
        for line in self.process.stdout:
            self.output.append(line)
            if " ready." in line:
                self.ready.set()

    def log(self):
        return "".join(self.output)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory, osmem_server):
    """A Celery worker running in its own process for the whole session.

    Tests using it need `transactional_db` so that their rows are committed
    where the worker can read them. Mail it sends is written to
    `worker.mail_dir`; read it with `worker_mail()`.
    """
    from django.db import connection

    with django_db_blocker.unblock():
        database_name = connection.settings_dict["NAME"]
    # Reader-index updates the worker performs go to an osmem clone of its own
    # (the shared base only takes reads); tests find it at reader_search_url.
    reader_search = osmem_server.clone()
    worker = WorkerProcess(
        database_name,
        tmp_path_factory.mktemp("worker-mail"),
        extra_env={"TALKIES_TEST_READER_ES_URL": reader_search.url},
    )
    worker.reader_search_url = reader_search.url
    worker.start()
    yield worker
    worker.stop()
    reader_search.close()


@pytest.fixture
def worker(celery_worker_process):
    """The session's worker, with its mailbox emptied for this test."""
    for path in Path(celery_worker_process.mail_dir).glob("*"):
        path.unlink()
    yield celery_worker_process
    # Shown by pytest only when the test failed.
    print("--- worker log (tail) ---\n" + celery_worker_process.log()[-4000:])


def worker_mail(worker):
    """Every message the worker has sent, parsed."""
    import email
    from email import policy

    messages = []
    for path in sorted(Path(worker.mail_dir).glob("*.log")):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                messages.append(email.message_from_string(chunk.strip(), policy=policy.default))
    return messages


class LocalHTTPServer:
    """A tiny HTTP server on 127.0.0.1 standing in for a third-party service.

    `routes` maps a path to (status, content type, body); every request is
    recorded in `requests` as (method, path, body).
    """

    def __init__(self):
        import http.server

        self.routes = {}
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.requests.append((self.command, self.path, body))
                path = self.path.split("?", 1)[0]
                status, content_type, payload = outer.routes.get(path, (404, "text/plain", "not found"))
                data = payload.encode() if isinstance(payload, str) else payload
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local_http_server():
    server = LocalHTTPServer()
    yield server
    server.stop()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


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
