"""Caches are scoped by release: a new RELEASE_ID reads nothing the last
release wrote, and the deploy step empties Varnish."""

import subprocess

from django.core.management import call_command

import pytest

from tests.config.test_settings import json_printed_by, settings_seen_with
from tests.factories import ArticlePageFactory, SectionPageFactory, home_page
from tests.support.http import fetch
from tests.support.processes import ROOT

WRITE_THEN_READ = """
import json, sys, django
django.setup()
from django.core.cache import caches
cache = caches["default"]
if sys.argv[1] == "write":
    cache.set("reader-site:talkies.example:443", "a Site pickled by this release's code", 60)
print(json.dumps(cache.get("reader-site:talkies.example:443")))
"""


def in_release(redis, release_id, action):
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.dev", "CACHE_URL": redis.url, "RELEASE_ID": release_id}
    return json_printed_by(WRITE_THEN_READ.replace("sys.argv[1]", repr(action)), env)


def test_a_new_release_reads_none_of_the_old_releases_cache(private_redis):
    """Both releases share one Redis, as during a rolling deploy."""
    assert in_release(private_redis, "2026.12.1", "write") == "a Site pickled by this release's code"
    assert in_release(private_redis, "2026.12.2", "read") is None
    # The old release, still serving during a rolling deploy, keeps its own.
    assert in_release(private_redis, "2026.12.1", "read") == "a Site pickled by this release's code"


def test_a_git_checkout_is_its_own_release():
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    seen = settings_seen_with({}, "RELEASE_ID")
    assert seen["RELEASE_ID"] == repr(commit[:12])


@pytest.mark.django_db(transaction=True)
def test_the_deploy_step_empties_varnish(varnish):
    home_page()
    story = ArticlePageFactory(parent=SectionPageFactory(title="News", slug="news"), title="Night Ledger returns")
    for url in (story.url, "/"):
        fetch(varnish + url)
        assert fetch(varnish + url)[1]["X-Edge-Cache"] == "hit"

    call_command("purge_caches")

    for url in (story.url, "/"):
        assert fetch(varnish + url)[1]["X-Edge-Cache"] == "miss"
