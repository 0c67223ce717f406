"""Publishing and unpublishing reach the reader index through a real worker."""

import pytest
from lxml import html as lxml_html

from tests.conftest import wait_for
from tests.factories import ArticlePageFactory, SectionPageFactory

pytestmark = pytest.mark.django_db(transaction=True)


def found(client, word):
    """Found by Elasticsearch itself, not by the database fallback."""
    page = client.get("/search/", {"q": word}).content.decode()
    assert "simpler mode" not in page
    titles = lxml_html.fromstring(page).xpath("//li[@class='result']//h2/a/text()")
    return any(word in title.lower() for title in titles)


def test_publish_and_unpublish_update_the_index_through_the_worker(client, settings, worker):
    from search.elasticsearch import get_client

    settings.ELASTICSEARCH_URL = worker.reader_search_url
    settings.ELASTICSEARCH_NODE_CLASS = "tests.search.conftest.PlainJSONNode"
    reader_index = get_client()
    reader_index.delete_index()
    reader_index.ensure_index()

    story = ArticlePageFactory(parent=SectionPageFactory(slug="news"), title="Okapiword casting news")
    wait_for(lambda: found(client, "okapiword"), timeout=60, message="the worker to index the story")

    story.unpublish()
    wait_for(lambda: not found(client, "okapiword"), timeout=60, message="the worker to remove the story")
    assert "search.tasks.sync_reader_index" in worker.log()
