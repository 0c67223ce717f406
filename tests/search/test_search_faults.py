"""The search server dies: readers keep searching (from the database) and
what editors publish meanwhile reaches the index once it is back. Real
processes: a search server killed with SIGKILL, a Celery worker, the live
test server."""

import json
import threading
import time
import urllib.error
import urllib.request

import pytest

from search.models import PendingIndexUpdate
from tests.factories import ArticlePageFactory, SectionPageFactory
from tests.search.conftest import FALLBACK_NOTICE, point_reader_search_at, search_from_index, titles_in
from tests.support.processes import KillableSearchServer, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def search_server():
    server = KillableSearchServer()
    yield server
    server.close()


def test_readers_keep_getting_results_while_the_search_server_dies_and_returns(live_server, settings, search_server):
    from search.elasticsearch import rebuild

    point_reader_search_at(settings, search_server.url)
    ArticlePageFactory(parent=SectionPageFactory(slug="news"), title="Okapiword season two casting")
    rebuild()

    answers = []
    stop, paused = threading.Event(), threading.Event()

    def reader():
        while not stop.is_set():
            if paused.is_set():
                time.sleep(0.05)
                continue
            try:
                with urllib.request.urlopen(f"{live_server.url}/search/?q=okapiword", timeout=10) as response:
                    answers.append((response.status, response.read().decode()))
            except urllib.error.HTTPError as error:
                answers.append((error.code, error.read().decode()))

    readers = [threading.Thread(target=reader) for _ in range(3)]
    for thread in readers:
        thread.start()
    try:
        wait_for(lambda: len(answers) >= 10, message="readers to get answers from the search server")
        search_server.kill()
        before_return = len(answers)
        wait_for(lambda: len(answers) >= before_return + 10, message="readers to get answers while it is dead")
        health = urllib.request.urlopen(f"{live_server.url}/healthz", timeout=10)
    except urllib.error.HTTPError as error:
        health = error
    finally:
        # osmem comes back empty, where an Elasticsearch node would come back
        # with its data: readers wait while the index is rebuilt.
        paused.set()
        time.sleep(0.5)
        search_server.start()
        rebuild()
        paused.clear()
        served_again = len(answers)
        wait_for(lambda: len(answers) >= served_again + 10, message="readers to get answers after its return")
        stop.set()
        for thread in readers:
            thread.join(10)

    assert {status for status, _ in answers} == {200}
    assert all(titles_in(page) == ["Okapiword season two casting"] for _, page in answers)
    degraded = [page for _, page in answers if FALLBACK_NOTICE in page]
    assert degraded, "no answer came from the database while the search server was dead"
    assert FALLBACK_NOTICE not in answers[-1][1], "answers did not come from the search server after its return"
    assert not any("ConnectionError" in page or "Traceback" in page for _, page in answers)
    assert health.status == 503 and "search" in json.loads(health.read())["down"]


@pytest.mark.worker
def test_stories_published_while_the_search_server_is_dead_are_indexed_when_it_returns(client, settings, worker):
    search_server = worker.reader_search
    point_reader_search_at(settings, search_server.url)
    section = SectionPageFactory(slug="news")
    unpublished_later = ArticlePageFactory(parent=section, title="Okapiword first look")
    wait_for(lambda: search_from_index(client, "okapiword"), timeout=60, message="the worker to index the story")

    search_server.kill()
    started = time.monotonic()
    published = ArticlePageFactory(parent=section, title="Quaggaword trailer breakdown")
    unpublished_later.unpublish()
    assert time.monotonic() - started < 5, "publishing waited on the dead search server"
    # Readers find the new story from the database meanwhile.
    page = client.get("/search/", {"q": "quaggaword"}).content.decode()
    assert FALLBACK_NOTICE in page and titles_in(page) == ["Quaggaword trailer breakdown"]
    assert set(PendingIndexUpdate.objects.values_list("page_id", flat=True)) == {published.pk, unpublished_later.pk}
    wait_for(
        lambda: worker.log().count("search.tasks.sync_reader_index") and "Retry in" in worker.log(),
        timeout=30,
        message="the worker to fail and plan a retry",
    )

    search_server.start()
    wait_for(
        lambda: not PendingIndexUpdate.objects.exists(),
        timeout=60,
        message="the retries to bring the index up to date",
    )
    assert search_from_index(client, "quaggaword") == ["Quaggaword trailer breakdown"]
    assert search_from_index(client, "okapiword") == []
    worker.drain()


@pytest.mark.django_db
def test_a_change_requested_while_a_sync_runs_is_kept_for_the_next_one():
    PendingIndexUpdate.request(41)
    seen_by_sync = PendingIndexUpdate.objects.get(page_id=41).version
    PendingIndexUpdate.request(41)  # an edit lands while that sync is running
    PendingIndexUpdate.done(41, seen_by_sync)
    assert PendingIndexUpdate.objects.filter(page_id=41).exists()
    PendingIndexUpdate.done(41, PendingIndexUpdate.objects.get(page_id=41).version)
    assert not PendingIndexUpdate.objects.exists()
