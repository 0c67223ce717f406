"""`make smoke`: docker-compose's production wiring without Docker, on this
machine, driven as a newsroom would, all through Varnish.

gunicorn with the production settings, Varnish with the repository's VCL,
a Celery worker and beat, PostgreSQL (a database of its own on this
machine's server), a Redis of its own and a local SMTP relay, wired with
the variables docker-compose.yml sets. Then: a reader follows a franchise
and confirms by email; an editor signs in in Chromium and publishes a story
in it; the home page shows it within seconds (purge); the follower's alert
reaches the relay; search finds the story; /healthz sees every service,
beat and the worker. Search is the database backend here (no Elasticsearch
server can run on this machine)."""

import os
import re
import shutil
import subprocess
import sys
import urllib.request
from urllib.parse import urlsplit

import pytest
import yaml

from tests.support.admin import ADMIN
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.mail import SMTPSink
from tests.support.processes import ROOT, free_port, stop_process, varnish_config, wait_for
from tests.support.reader import Reader

pytestmark = pytest.mark.smoke
FRANCHISE = "Ironbound Universe"
HEADLINE = "Ironbound spin-off Tidewater gets a premiere date"
FOLLOWER = "reader@talkies.example"
# The newsroom's groups, an editor, a section, the franchise and a draft story in it.
SETUP = """
import json, sys, django
django.setup()
from editorial.newsroom import EDITORS, setup_newsroom
from tests.factories import ArticlePageFactory, FranchiseTagFactory, SectionPageFactory, newsroom_users
setup_newsroom()
newsroom_users(eddie=EDITORS)
franchise = FranchiseTagFactory(name=sys.argv[1])
news = SectionPageFactory(title="News", slug="news")
story = ArticlePageFactory(parent=news, title=sys.argv[2], live=False, tags=[franchise])
print(json.dumps({"story": story.pk, "franchise": franchise.pk}))
"""


class Service:
    """One process of the stack, its output in a log file shown on failure."""

    def __init__(self, name, args, env, workdir):
        self.name, self.log_path = name, workdir / f"{name}.log"
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self.log_path.open("w"), stderr=subprocess.STDOUT, start_new_session=True
        )

    def tail(self):
        return f"--- {self.name} ---\n" + self.log_path.read_text(errors="replace")[-3000:]

    def stop(self):
        stop_process(self.process)


def compose_environment():
    """The variables docker-compose.yml gives web, worker and beat."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose["services"]["web"]["environment"]


def answers(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("smoke")
    services = []
    relay = SMTPSink()
    database = f"talkies_smoke_{os.getpid()}"
    server = "postgres://postgres@127.0.0.1:5432"
    subprocess.run(["psql", f"{server}/postgres", "-qc", f"CREATE DATABASE {database}"], check=True)
    redis_port, web_port, varnish_port = free_port(), free_port(), free_port()
    varnish_url = f"http://localhost:{varnish_port}"
    compose = compose_environment()
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "TALKIES_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "smoke-run-only-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789",
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "WAGTAILADMIN_BASE_URL": varnish_url,
        "RELEASE_ID": "smoke",
        # docker-compose.yml's wiring, with this machine's addresses.
        "DATABASE_URL": f"{server}/{database}",
        "CACHE_URL": compose["CACHE_URL"].replace("redis:6379", f"127.0.0.1:{redis_port}"),
        "CELERY_BROKER_URL": compose["CELERY_BROKER_URL"].replace("redis:6379", f"127.0.0.1:{redis_port}"),
        # One Redis here stands in for both of compose's (a database of its own for the counts).
        "READ_COUNTS_REDIS_URL": compose["READ_COUNTS_REDIS_URL"].replace(
            "counts:6379/0", f"127.0.0.1:{redis_port}/2"
        ),
        "VARNISH_URL": compose["VARNISH_URL"].replace("varnish:80", f"127.0.0.1:{varnish_port}"),
        # Varnish reaches gunicorn from 127.0.0.1 here (172.28.0.10 in compose).
        "TRUSTED_PROXIES": "127.0.0.1",
        "SERVE_MEDIA": compose["SERVE_MEDIA"],
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(relay.port),
        "EMAIL_USE_TLS": "false",
        # Plain HTTP on this machine: no TLS in front to redirect to.
        "SECURE_SSL_REDIRECT": "false",
        "HEARTBEAT_SECONDS": "2",
        # Beat's sweeps (scheduled publishing, outboxes, the read roll-up) every few seconds.
        "BEAT_SWEEP_SECONDS": "3",
        "TALKIES_VAR_DIR": str(workdir / "var"),
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "PYTHONPATH": str(ROOT),
    }
    for name in ("ELASTICSEARCH_URL", "OPENSEARCH_URL", "EMAIL_BACKEND"):
        env.pop(name, None)
    try:
        services.append(
            Service(
                "redis",
                ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                env,
                workdir,
            )
        )
        # The release step (docker-compose's `release` service).
        for command in (["migrate", "--no-input", "-v0"], ["collectstatic", "--no-input", "-v0"], ["purge_caches"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)
        setup = [sys.executable, "-c", SETUP, FRANCHISE, HEADLINE]
        created = subprocess.run(setup, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
        ids = yaml.safe_load(created.stdout.strip().splitlines()[-1])

        bin_dir = os.path.dirname(sys.executable)
        services.append(
            Service(
                "web",
                [f"{bin_dir}/gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{web_port}", "--workers", "2"]
                + ["--access-logfile", "-"],
                env,
                workdir,
            )
        )
        services.append(
            Service(
                "worker", [f"{bin_dir}/celery", "-A", "config", "worker", "--loglevel=INFO", "-c", "2"], env, workdir
            )
        )
        services.append(
            Service(
                "beat",
                [f"{bin_dir}/celery", "-A", "config", "beat", "--loglevel=INFO", "-s", str(workdir / "beat-schedule")],
                env,
                workdir,
            )
        )
        vcl = varnish_config(workdir, web_port)
        varnishd = shutil.which("varnishd", path="/usr/sbin:/usr/bin")
        assert varnishd, "varnishd is missing: `make smoke` installs it (requirements/install-debian-packages)"
        services.append(
            Service(
                "varnish",
                [varnishd, "-F", "-j", "none", "-n", str(workdir / "varnish"), "-a", f"127.0.0.1:{varnish_port}"]
                + ["-f", str(vcl), "-s", "malloc,64m"],
                env,
                workdir,
            )
        )
        wait_for(lambda: answers(f"{varnish_url}/healthz") == 200, timeout=90, message="/healthz through Varnish")
        yield {"url": varnish_url, "relay": relay, "database_url": f"{server}/{database}", **ids}
    except BaseException:
        print("\n".join(service.tail() for service in services))
        raise
    finally:
        for service in reversed(services):
            service.stop()
        relay.stop()
        subprocess.run(["psql", f"{server}/postgres", "-qc", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"])


def mail_to(relay, address, text):
    return [
        message
        for message in relay.parsed()
        if address in message["To"] and text in message.get_body(("plain",)).get_content()
    ]


def test_a_newsroom_day_on_the_deployed_stack(stack):
    base, relay = stack["url"], stack["relay"]
    health = Reader(base, "127.0.0.1").request("GET", "/healthz")
    assert health[0] == 200, health[1]
    assert all(name in health[1] for name in ('"beat"', '"worker"', '"database"', '"broker"'))

    # A reader follows the franchise and confirms from the email.
    reader = Reader(base, "127.0.0.2")
    assert (
        reader.post_form(
            f"/follow/?franchise={stack['franchise']}",
            {"email": FOLLOWER, "topics": [f"franchise:{stack['franchise']}"], "frequency": "instant"},
        )
        == 302
    )
    confirmation = wait_for(lambda: mail_to(relay, FOLLOWER, "/follow/confirm/"), timeout=60, message="confirmation")
    link = re.search(r"https?://\S+/follow/confirm/\S+/", confirmation[0].get_body(("plain",)).get_content()).group(0)
    assert reader.post_form(urlsplit(link).path, {}) == 302

    # The home page, cached at the edge before the story exists.
    reader.request("GET", "/")
    status, home = reader.request("GET", "/")
    assert status == 200 and HEADLINE not in home

    # An editor signs in and publishes the story, in Chromium, through Varnish.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{base}{ADMIN}/login/")
        page.fill("#id_username", "eddie")
        page.fill("#id_password", "correct horse battery staple")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}{ADMIN}/")
        page.goto(f"{base}{ADMIN}/pages/{stack['story']}/edit/")
        page.get_by_role("button", name="More actions").click()
        page.get_by_role("button", name="Publish", exact=True).click()
        page.wait_for_load_state("networkidle")
        browser.close()

    # Readers see it within seconds: the publish purged Varnish.
    wait_for(lambda: HEADLINE in reader.request("GET", "/")[1], timeout=10, message="the story on the home page")
    # The follower's alert reaches the relay.
    alert = wait_for(lambda: mail_to(relay, FOLLOWER, HEADLINE), timeout=90, message="the follower's alert")
    assert len(alert) == 1
    # Search finds it.
    status, results = reader.request("GET", "/search/?q=Tidewater+premiere")
    assert status == 200 and HEADLINE in results

    # Two readers open the story; their beacons pass Varnish, Redis counts
    # them, and the real beat rolls the counts up to PostgreSQL.
    story_path = re.search(r'href="(/news/[^"]+/)"', results).group(1)
    for address in ("127.0.0.2", "127.0.0.3"):
        visitor = Reader(base, address)
        page = visitor.request("GET", story_path)[1]
        beacon = re.search(r'data-read-beacon="([^"]+)"', page).group(1)
        assert visitor.request("POST", beacon, headers={"User-Agent": "Mozilla/5.0 (X11) Firefox/133.0"})[0] == 204
    count = f"SELECT COALESCE(SUM(reads), 0) FROM readership_storyreadhour WHERE page_id = {int(stack['story'])}"

    def reads_in_postgres():
        done = subprocess.run(["psql", stack["database_url"], "-tAc", count], capture_output=True, text=True)
        return done.stdout.strip() == "2"

    wait_for(reads_in_postgres, timeout=60, message="the reads rolled up to PostgreSQL by beat")
