"""Search quality on a judged set (tests/search/judged_set.py): every
backend finds every must-find in its top ten and keeps nDCG@10 above a
floor. `make bench` prints the same scores beside latency."""

from django.db import connection

import pytest
from lxml import html as lxml_html

from tests.search.conftest import reindex, result_titles
from tests.search.judged_set import create_judged_stories, evaluate

pytestmark = pytest.mark.django_db

# What each backend scores today, less a small margin.
NDCG_FLOOR = {"database": 0.85, "elasticsearch": 0.85, "opensearch": 0.85}


def test_judged_queries_find_every_must_find(client, backend):
    keys = create_judged_stories()
    reindex(backend)

    def search(query):
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        return result_titles(lxml_html.fromstring(response.content))

    scores = evaluate(search, keys)
    print(backend, connection.vendor, scores["ndcg_at_10"], scores["misses"], scores["per_query"])
    assert scores["misses"] == [], scores["misses"]
    assert scores["ndcg_at_10"] >= NDCG_FLOOR[backend], scores["per_query"]
