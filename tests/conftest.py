import contextlib
import itertools
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings as django_settings
from django.core.cache import caches

import pytest

from tests.support.admin import ADMIN

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


TASK_EVENT = re.compile(r"Task [\w.]+\[([0-9a-f-]+)\] (received|succeeded|raised|retry|ignored|rejected)")
# A task past its `expires` (a heartbeat a dead worker never ran) is received, then discarded.
DISCARDED_TASK = re.compile(r"Discarding revoked task: [\w.]+\[([0-9a-f-]+)\]")


class WorkerProcess:
    """A real `celery worker` process, on the broker and database the tests use."""

    def __init__(self, database_name, extra_env=None):
        self.database_name = database_name
        self.extra_env = extra_env or {}
        self.process = None
        self.output = []
        self.ready = threading.Event()

    def start(self):
        from config.celery import app

        # Messages left on a shared broker (Redis) by earlier runs must not run here.
        app.control.purge()
        return self.restart()

    def restart(self):
        """Start (again) without purging: what a supervisor does after a crash."""
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.test",
            TALKIES_WORKER_DATABASE_NAME=str(self.database_name),
            PYTHONUNBUFFERED="1",
            **self.extra_env,
        )
        self.ready.clear()
        # Tasks a killed process had taken count no longer: log from here on.
        self.started_at_line = len(self.output)
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
        threading.Thread(target=self._read_output, args=(self.process,), daemon=True).start()
        if not self.ready.wait(60):
            self.stop()
            pytest.fail("Celery worker did not start:\n" + "".join(self.output[-50:]))
        return self

    def _read_output(self, process):
        for line in process.stdout:
            self.output.append(line)
            if " ready." in line:
                self.ready.set()

    def log(self):
        return "".join(self.output)

    def kill(self):
        """SIGKILL: no clean-up, no acknowledgement, like a machine losing power."""
        self.process.kill()
        self.process.wait(10)

    def unfinished_tasks(self):
        """Ids of tasks the worker received and has not finished (retries pending included)."""
        open_runs = {}
        log = "".join(self.output[self.started_at_line :])
        for task_id, event in TASK_EVENT.findall(log):
            open_runs[task_id] = open_runs.get(task_id, 0) + (1 if event == "received" else -1)
        for task_id in DISCARDED_TASK.findall(log):
            open_runs[task_id] = open_runs.get(task_id, 0) - 1
        return [task_id for task_id, count in open_runs.items() if count > 0]

    def drain(self, timeout=30.0):
        """Wait until everything queued so far has run.

        The session's worker outlives each test; a task still running when
        the test database is flushed deadlocks the flush, and one left queued
        would act on the next test's rows. A marker task queued behind the
        test's own work shows when the queue has been worked through.
        """
        from config.celery import app

        if self.process is None or self.process.poll() is not None:
            return
        marker = app.send_task("celery.accumulate", args=(1,))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if f"[{marker.id}] succeeded" in self.log() and not self.unfinished_tasks():
                return
            time.sleep(0.1)
        print(f"worker still busy after {timeout}s with tasks {self.unfinished_tasks()}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


class SMTPSink:
    """A mail relay on 127.0.0.1 that keeps what it accepts.

    A message counts once its end of data has arrived, as with a real relay
    (Postfix queues it then, whether or not the client stays to read the
    reply); a connection that ends before it discards the message. aiosmtpd
    is not used here because it abandons messages whose end of data arrived
    just before the client vanished. `refuse` maps an address to the reply
    its RCPT gets (e.g. "550 5.1.1 No such user").
    """

    def __init__(self):
        import socketserver

        sink = self
        self.messages = []
        self.refuse = {}

        class Session(socketserver.StreamRequestHandler):
            def reply(self, line):
                # If the client went away, what it completed is kept all the same.
                with contextlib.suppress(OSError):
                    self.wfile.write(line.encode() + b"\r\n")

            def handle(self):
                self.reply("220 talkies-test-relay ESMTP")
                while line := self.rfile.readline():
                    command = line.strip().decode(errors="replace")
                    verb = command[:4].upper()
                    if verb in ("EHLO", "HELO"):
                        self.reply("250 talkies-test-relay")
                    elif verb == "RCPT":
                        address = command.split(":", 1)[1].strip().strip("<>")
                        self.reply(sink.refuse.get(address, "250 OK"))
                    elif verb == "DATA":
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                        data = []
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                        if chunk == b"":
                            return  # ended mid-message: discarded
                        sink.messages.append(b"".join(data))
                        self.reply("250 Message accepted for delivery")
                    elif verb == "QUIT":
                        self.reply("221 Bye")
                        return
                    else:  # MAIL, RSET, NOOP
                        self.reply("250 OK")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Session)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def parsed(self):
        import email
        from email import policy

        return [email.message_from_bytes(raw, policy=policy.default) for raw in list(self.messages)]

    def clear(self):
        self.messages.clear()
        self.refuse.clear()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def smtp_sink():
    sink = SMTPSink()
    yield sink
    sink.stop()


class KillableSearchServer:
    """An osmem-server process of its own, on a fixed address, that a test
    can kill with SIGKILL and start again there, as an operator's supervisor
    would restart a crashed search node. It keeps its data in memory, so it
    comes back empty (an Elasticsearch node would come back with its data)."""

    def __init__(self):
        from osmem_server import OsmemServer

        self.server = OsmemServer.start(japanese=False)
        self.url = self.server.url
        self.address = self.url.split("://", 1)[1].rstrip("/")

    def kill(self):
        self.server.process.kill()
        self.server.process.wait(10)

    def start(self):
        from osmem_server import OsmemServer

        self.server = OsmemServer.start(japanese=False, addr=self.address)
        assert self.server.url == self.url

    def close(self):
        self.server.close()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, smtp_sink):
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
        extra_env={"TALKIES_TEST_READER_ES_URL": reader_search.url, "TALKIES_TEST_SMTP_PORT": str(smtp_sink.port)},
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
    """The session's worker, with the relay's mailbox emptied for this test.

    Teardown waits for the work the test queued, so none of it runs against
    the next test's database."""
    celery_worker_process.smtp.clear()
    if celery_worker_process.process.poll() is not None:
        celery_worker_process.restart()
    yield celery_worker_process
    celery_worker_process.drain()
    # Shown by pytest only when the test failed.
    print("--- worker log (tail) ---\n" + celery_worker_process.log()[-4000:])


def worker_mail(worker):
    """Every message the worker has handed to the mail relay, parsed."""
    return worker.smtp.parsed()


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


def sign_in(page, live_server, username):
    """Sign `page`'s browser context in to the admin, through its login form."""
    from tests.factories import PASSWORD

    page.goto(f"{live_server.url}{ADMIN}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}{ADMIN}/")


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


# Varnish with the repository's VCL in front of the live test server.
VARNISHD = shutil.which("varnishd", path="/usr/sbin:/usr/bin")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def varnish(live_server, tmp_path, settings):
    assert VARNISHD, "varnishd is missing: `make test` installs it (requirements/install-debian-packages)"
    backend_port = live_server.url.rsplit(":", 1)[1]
    vcl = (django_settings.BASE_DIR / "caching" / "varnish.vcl").read_text()
    vcl = vcl.replace('.host = "web";', '.host = "127.0.0.1";')
    vcl = vcl.replace('.port = "8000";', f'.port = "{backend_port}";')
    (tmp_path / "talkies.vcl").write_text(vcl)
    port = free_port()
    process = subprocess.Popen(
        [VARNISHD, "-F", "-j", "none", "-n", str(tmp_path / "varnish"), "-a", f"127.0.0.1:{port}"]
        + ["-f", str(tmp_path / "talkies.vcl"), "-s", "malloc,32m"],
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


def reachable(url):
    try:
        urllib.request.urlopen(url + "/healthz", timeout=2)
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def fetch(url, method="GET", cookie=None):
    request = urllib.request.Request(url, method=method, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()
