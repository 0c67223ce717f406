from elastic_transport import Urllib3HttpNode
from lxml import html as lxml_html

from search.elasticsearch import rebuild
from search.reader_index import add_new_words


class PlainJSONNode(Urllib3HttpNode):
    """Sends plain `application/json` instead of the Elasticsearch 8 client's
    compatibility media type, which osmem answers with 406. Test-only:
    production talks to Elasticsearch unchanged."""

    def perform_request(self, method, target, body=None, headers=None, request_timeout=None):
        if headers:
            headers = headers.copy()
            for name, value in headers.items():
                if isinstance(value, str) and "vnd.elasticsearch+" in value:
                    # application/vnd.elasticsearch+x-ndjson; compatible-with=8 -> application/x-ndjson
                    headers[name] = value.split(";")[0].replace("vnd.elasticsearch+", "")
        return super().perform_request(method, target, body=body, headers=headers, request_timeout=request_timeout)


def reindex(backend):
    """What the index needs before a test searches it: on the database,
    beat's vocabulary job (typo candidates); on a search server, a rebuild."""
    if backend == "database":
        add_new_words()
    else:
        rebuild()


# Shown when the page answers from the database because the search server failed.
FALLBACK_NOTICE = "simpler mode"


def result_titles(tree):
    return [title.strip() for title in tree.xpath("//li[@class='result']//h2/a/text()")]


def results(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.content)
    return tree, result_titles(tree)


def titles_in(page):
    return result_titles(lxml_html.fromstring(page))


def search_from_index(client, word):
    """Titles the search server itself found (not the database fallback)."""
    page = client.get("/search/", {"q": word}).content.decode()
    assert FALLBACK_NOTICE not in page
    return titles_in(page)


def point_reader_search_at(settings, url):
    """Reader search on the search server at `url`, with an empty index."""
    from search.elasticsearch import get_client

    settings.ELASTICSEARCH_URL = url
    settings.ELASTICSEARCH_NODE_CLASS = "tests.search.conftest.PlainJSONNode"
    reader_index = get_client()
    reader_index.delete_index()
    reader_index.ensure_index()
