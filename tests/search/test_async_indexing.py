"""Publishing and unpublishing reach the reader index through a real worker,
and a worker killed in the middle of an update is made good by beat."""

import pytest

from search.models import PendingIndexUpdate
from tests.factories import ArticlePageFactory, SectionPageFactory
from tests.search.conftest import point_reader_search_at, search_from_index
from tests.support.processes import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def found(client, word):
    """Found by Elasticsearch itself, not by the database fallback."""
    return any(word in title.lower() for title in search_from_index(client, word))


def test_publish_and_unpublish_update_the_index_through_the_worker(client, settings, worker):
    point_reader_search_at(settings, worker.reader_search_url)

    story = ArticlePageFactory(parent=SectionPageFactory(slug="news"), title="Okapiword casting news")
    wait_for(lambda: found(client, "okapiword"), timeout=60, message="the worker to index the story")

    story.unpublish()
    wait_for(lambda: not found(client, "okapiword"), timeout=60, message="the worker to remove the story")
    assert "search.tasks.sync_reader_index" in worker.log()


@pytest.mark.parametrize("point", ["search.database_index_written", "search.search_server_written"])
def test_an_index_update_killed_midway_is_finished_by_beat(client, settings, worker, beat, point):
    point_reader_search_at(settings, worker.reader_search_url)
    worker.arm(point)
    ArticlePageFactory(parent=SectionPageFactory(slug="news"), title="Okapiword casting news")
    worker.died_at(point)
    assert PendingIndexUpdate.objects.exists()  # the outbox row outlives the worker

    worker.recover_through(beat, lambda: not PendingIndexUpdate.objects.exists(), message="beat to finish the update")
    assert "(search.tasks.dispatch_pending_index_updates)" in beat.log()
    assert search_from_index(client, "okapiword") == ["Okapiword casting news"]  # once, not twice
