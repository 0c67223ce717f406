"""Upgrades keep every row. A database is built by the release before the
carve into caching/, editorial/ and comments/ (its own code, from git):
migrated, with the demo newsroom, comments, follows, notifications and
search query logs. This release's migrations then run on it, and every table
keeps every row; the moved models, the renamed standfirst and the
moderators' permission read back through today's code, and reader search
finds words in the old stories' bodies."""

import json
import os
import subprocess
import sys
import tarfile
import uuid
from io import BytesIO

import pytest

from tests.support.processes import ROOT

# The last release before the carve (landed as stop 13).
PREVIOUS_RELEASE = "80602c2505843b0e59df8db9512685b1715e9257"

OLD_RELEASE_CONTENT = """
import django, json
django.setup()
from django.db import connection
from django.utils import timezone
from alerts.models import Follow, Follower
from news.models import ArticlePage, EditorialNotification, FranchiseTag, ReaderComment
from search.models import SearchQueryDay

story = ArticlePage.objects.live().order_by("pk").first()
first = ReaderComment.objects.create(
    page=story, name="Ann", email="ann@example.com", body="Loved it.", status="approved"
)
ReaderComment.objects.create(page=story, name="Bo", email="bo@example.com", body="A reply.", parent=first)
ReaderComment.objects.create(page=story, name="Cy", email="cy@example.com", body="Waiting.")
follower = Follower.objects.create(email="reader@example.com", confirmed_at=timezone.now())
Follow.objects.create(follower=follower, franchise=FranchiseTag.objects.first(), confirmed_at=timezone.now())
EditorialNotification.objects.create(
    event="published", event_key="published:1", channel="email", target="desk@example.com",
    page=story, page_title=story.title, subject="Published", status="sent",
)
SearchQueryDay.record("night ledger", found=True)
SearchQueryDay.record("zzqx", found=False)
with connection.cursor() as cursor:
    counts = {}
    for table in connection.introspection.table_names(cursor):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
print(json.dumps({"counts": counts, "story": story.pk, "standfirst": story.dek}))
"""

THIS_RELEASE_READS = """
import django, json
django.setup()
from django.contrib.auth.models import Group
from django.db import connection
from comments.models import ReaderComment
from editorial.models import EditorialNotification
from django.http import QueryDict
from news.models import ArticlePage
from news.models.visibility import visible_to_readers
from search.backends import DatabaseReaderSearch
from search.models import ReaderDocument
from search.query import parse

with connection.cursor() as cursor:
    counts = {}
    for table in connection.introspection.table_names(cursor):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
editors = Group.objects.get(name="Editors")
print(json.dumps({
    "counts": counts,
    "comments": sorted(ReaderComment.objects.values_list("body", flat=True)),
    "replies": ReaderComment.objects.filter(parent__isnull=False).count(),
    "notifications": list(EditorialNotification.objects.values_list("target", "status")),
    "standfirsts": dict(ArticlePage.objects.values_list("pk", "standfirst")),
    "editors_moderate": editors.permissions.filter(
        content_type__app_label="comments", codename="moderate_readercomment"
    ).exists(),
    "editors_read_the_log": editors.permissions.filter(
        content_type__app_label="editorial", codename="view_editorialnotification"
    ).exists(),
    "reader_documents": ReaderDocument.objects.count(),
    "visible_stories": visible_to_readers(ArticlePage.objects.all()).count(),
    # Words found only in the demo stories' bodies, which search could not read before.
    "found_in_bodies": DatabaseReaderSearch().search(parse(QueryDict("q=piecing+the+clues"))).total,
}))
"""


def run(code_dir, env, *args):
    result = subprocess.run(
        [sys.executable, *args], cwd=code_dir, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"{args[:3]} in {code_dir}:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    return result.stdout


def last_json(output):
    return json.loads(output.strip().splitlines()[-1])


@pytest.fixture
def database_url(tmp_path):
    """A database of its own, on the engine this pass runs on."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
        return
    server, name = url.rsplit("/", 1)[0], f"talkies_upgrade_{uuid.uuid4().hex[:8]}"
    subprocess.run(["psql", f"{server}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    yield f"{server}/{name}"
    subprocess.run(["psql", f"{server}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])


def test_a_database_built_by_the_previous_release_keeps_every_row(tmp_path, database_url):
    archive = subprocess.run(["git", "archive", PREVIOUS_RELEASE], cwd=ROOT, capture_output=True, check=True).stdout
    old_code = tmp_path / "previous-release"
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(old_code, filter="data")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "TALKIES_", "CELERY_", "CACHE_", "ELASTICSEARCH_", "OPENSEARCH_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL=database_url,
        TALKIES_VAR_DIR=str(tmp_path / "var"),
        CELERY_FILESYSTEM_BROKER_DIR=str(tmp_path / "broker"),
    )

    run(old_code, env, "manage.py", "migrate", "--no-input", "-v0")
    run(old_code, env, "manage.py", "seed_demo", "-v0")
    before = last_json(run(old_code, env, "-c", OLD_RELEASE_CONTENT))

    run(ROOT, env, "manage.py", "migrate", "--no-input", "-v0")
    after = last_json(run(ROOT, env, "-c", THIS_RELEASE_READS))

    lost = {table: (count, after["counts"].get(table)) for table, count in before["counts"].items()}
    lost = {table: counts for table, counts in lost.items() if counts[1] is None or counts[1] < counts[0]}
    assert not lost, f"tables that lost rows (before, after): {lost}"
    assert before["counts"]["news_readercomment"] == 3
    assert after["comments"] == ["A reply.", "Loved it.", "Waiting."] and after["replies"] == 1
    assert ["desk@example.com", "sent"] in after["notifications"]
    assert len(after["notifications"]) == before["counts"]["news_editorialnotification"]
    assert after["standfirsts"][str(before["story"])] == before["standfirst"] != ""
    assert after["editors_moderate"] and after["editors_read_the_log"]
    # The database's reader index is built by the upgrade itself.
    assert after["reader_documents"] == after["visible_stories"] > 0
    assert after["found_in_bodies"] > 0
