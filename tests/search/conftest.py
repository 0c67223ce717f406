from elastic_transport import Urllib3HttpNode
from lxml import html as lxml_html


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
    if backend != "database":
        from search.elasticsearch import rebuild

        rebuild()


def results(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.content)
    return tree, [title.strip() for title in tree.xpath("//li[@class='result']//h2/a/text()")]
