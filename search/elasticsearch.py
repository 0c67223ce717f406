"""Reader search on Elasticsearch (the official client) or OpenSearch.

Wagtail's search backend keeps serving the admin's search. Readers get an
index of their own, holding only live, public stories, so that the page can
use what Wagtail's search API does not offer: multi-select facets
(aggregations with a post_filter), highlighting, fuzzy matching, synonyms
and spelling suggestions.
"""

import contextlib
import logging
import math
import re
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.utils.module_loading import import_string

from wagtail.models import Page

from tqdm import tqdm

from news.models import ArticlePage, Author, FranchiseTag, SectionPage, SeriesHubPage
from news.models.article import prefetch_cards
from news.models.reviews import STAR_BAND_LABELS, star_band
from search.backends import DATE_LABELS, PER_PAGE, FacetValue, Hit, SearchResults, popular_franchises
from search.query import DATE_RANGES, FACETS, STAR_BANDS
from search.text import body_parts

logger = logging.getLogger(__name__)

INDEX_SETTINGS = {
    "analysis": {
        "filter": {"talkies_stemmer": {"type": "stemmer", "language": "english"}},
        "analyzer": {
            # Synonyms are not in the analyzer: editors maintain them in the
            # admin and search.synonyms expands them at query time, the same
            # on every backend, with no reindex.
            "talkies_text": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["lowercase", "asciifolding", "talkies_stemmer"],
            },
        },
    }
}
TEXT = {"type": "text", "analyzer": "talkies_text"}
MAPPINGS = {
    "properties": {
        "title": {**TEXT, "fields": {"suggest": {"type": "search_as_you_type"}}},
        "standfirst": TEXT,
        "quotes": TEXT,
        "body": TEXT,
        # Matched, never highlighted: a result's snippet must not give the twist away.
        "spoilers": TEXT,
        "series_title": TEXT,
        "franchise_names": TEXT,
        "author_names": TEXT,
        "franchise": {"type": "keyword"},
        "series": {"type": "keyword"},
        "section": {"type": "keyword"},
        "author": {"type": "keyword"},
        "rating": {"type": "keyword"},
        "published_at": {"type": "date"},
    }
}
# Headline, standfirst, pull quotes, series and franchise weigh more than body text.
SEARCH_FIELDS = [
    "title^4",
    "franchise_names^4",
    "standfirst^2",
    "quotes^2",
    "series_title^2",
    "author_names",
    "body",
    "spoilers",
]
# Far above any text score: a story matching every concept outranks one matching some.
EVERY_CONCEPT_LIFT = 1000
# A mild recency boost: added to the text score, worth at most 1, halving every 90 days.
RECENCY = {"gauss": {"published_at": {"origin": "now", "scale": "90d", "decay": 0.5}}, "weight": 1}


def index_name():
    return f"{settings.ELASTICSEARCH_INDEX_PREFIX}_reader_articles"


def engine():
    """Which search server reader search uses: "elasticsearch", "opensearch",
    or None for the database."""
    if settings.ELASTICSEARCH_URL:
        return "elasticsearch"
    if settings.OPENSEARCH_URL:
        return "opensearch"
    return None


class ReaderIndexClient:
    """The few calls reader search makes, on Elasticsearch 8 (the official
    client) or OpenSearch 3 (opensearch-py): the request bodies are the same,
    the clients' signatures and exceptions differ."""

    def __init__(self, timeout=None):
        timeout = timeout or settings.READER_SEARCH_TIMEOUT
        self.engine = engine()
        if self.engine == "opensearch":
            import opensearchpy
            from opensearchpy import helpers

            self.client = opensearchpy.OpenSearch(
                settings.OPENSEARCH_URL.split(","), timeout=timeout, max_retries=0, retry_on_timeout=False
            )
            self.not_found = opensearchpy.NotFoundError
            self.unavailable = (opensearchpy.ConnectionError, opensearchpy.TransportError)
        else:
            import elastic_transport
            import elasticsearch
            from elasticsearch import helpers

            options = {"request_timeout": timeout, "max_retries": 0, "retry_on_timeout": False}
            if settings.ELASTICSEARCH_NODE_CLASS:
                options["node_class"] = import_string(settings.ELASTICSEARCH_NODE_CLASS)
            self.client = elasticsearch.Elasticsearch(settings.ELASTICSEARCH_URL.split(","), **options)
            self.not_found = elasticsearch.NotFoundError
            self.unavailable = (elastic_transport.ConnectionError, elastic_transport.TransportError)
        self.helpers = helpers

    def ping(self):
        return self.client.ping()

    def ensure_index(self):
        if not self.client.indices.exists(index=index_name()):
            self.client.indices.create(index=index_name(), body={"settings": INDEX_SETTINGS, "mappings": MAPPINGS})

    def delete_index(self):
        with contextlib.suppress(self.not_found):
            self.client.indices.delete(index=index_name())

    def put(self, doc_id, document):
        self.client.index(index=index_name(), id=str(doc_id), body=document, refresh=True)

    def remove(self, doc_id):
        with contextlib.suppress(self.not_found):
            self.client.delete(index=index_name(), id=str(doc_id), refresh=True)

    def search(self, body):
        return self.client.search(index=index_name(), body=body)

    def bulk(self, batches):
        """Index batches of actions, sending one while the caller builds the
        next: the documents are built from the database in the caller's
        thread (its connection, its transaction), the requests go out from a
        second thread."""
        indexed = 0
        with ThreadPoolExecutor(max_workers=1) as sender:
            pending = None
            for batch in batches:
                if pending is not None:
                    indexed += pending.result()
                pending = sender.submit(self.send, batch)
            if pending is not None:
                indexed += pending.result()
        self.client.indices.refresh(index=index_name())
        return indexed

    def send(self, actions):
        indexed, _ = self.helpers.bulk(self.client, actions, chunk_size=len(actions))
        return indexed


def get_client(timeout=None):
    return ReaderIndexClient(timeout=timeout)


def section_slugs():
    """Section slug by tree path, so documents need no parent lookup each."""
    return dict(SectionPage.objects.filter(depth=3).values_list("path", "slug"))


def document(page, sections=None):
    sections = sections if sections is not None else section_slugs()
    # Through the card prefetches when the caller made them (bulk rebuild).
    tags = page.franchise_tag_list
    authors = page.authors
    # The stored block data is enough: rendering would expand links, a query each.
    parts = body_parts(page.body.raw_data)
    return {
        "title": page.title,
        "standfirst": page.standfirst,
        "quotes": parts["quotes"],
        "body": parts["body"],
        "spoilers": parts["spoilers"],
        "series_title": page.series.title if page.series_id else "",
        "franchise_names": [tag.name for tag in tags],
        "author_names": [author.name for author in authors],
        "franchise": [tag.slug for tag in tags],
        "series": page.series.slug if page.series_id else None,
        "section": sections.get(page.path[: -Page.steplen]),
        "author": [author.slug for author in authors],
        "rating": str(star_band(page.rating, page.rating_scale)) if page.is_review else None,
        "published_at": page.first_published_at,
    }


def sync_article(page_id, client=None):
    """Make the index agree with the database about one story: indexed if it
    is live and public, absent otherwise. Safe to repeat."""
    client = client or get_client()
    client.ensure_index()
    page = ArticlePage.objects.cards().filter(pk=page_id).select_related("series").first()
    if page is None:
        client.remove(page_id)
        return False
    client.put(page.pk, document(page))
    return True


def rebuild(progress=False, batch_size=500):
    """Recreate the index from every live, public story, in bulk."""
    client = get_client(timeout=120)
    client.delete_index()
    client.ensure_index()
    stories = ArticlePage.objects.cards().select_related("series").specific(defer=False)
    total = stories.count()
    bar = tqdm(total=total, desc="Indexing stories", unit="story", disable=not progress)
    sections = section_slugs()

    def batches():
        for start in range(0, total, batch_size):
            batch = list(stories[start : start + batch_size])
            prefetch_cards(batch)
            yield [
                {"_index": index_name(), "_id": str(page.pk), "_source": document(page, sections)} for page in batch
            ]
            bar.update(len(batch))

    indexed = client.bulk(batches())
    bar.close()
    return indexed


def text_query(request):
    """Half the concepts (at least one) must match, through any of their
    synonyms; a story matching every concept gets a constant lift, so it
    ranks above those matching some, in the order it had among them. Single
    words tolerate typos; names of several words match as phrases."""
    concepts = []
    for phrases in request.concepts:
        alternatives = []
        for phrase in phrases:
            if len(phrase.split()) > 1:
                alternatives.append({"multi_match": {"query": phrase, "type": "phrase", "fields": SEARCH_FIELDS}})
            else:
                alternatives.append(
                    {
                        "multi_match": {
                            "query": phrase,
                            "fields": SEARCH_FIELDS,
                            "fuzziness": "AUTO",
                            "prefix_length": 1,
                            "operator": "and",
                        }
                    }
                )
        concepts.append(alternatives[0] if len(alternatives) == 1 else {"bool": {"should": alternatives}})
    minimum = max(1, math.ceil(len(concepts) / 2))
    query = {"bool": {"must": [{"bool": {"should": concepts, "minimum_should_match": minimum}}]}}
    should = []
    if minimum < len(concepts):
        should.append({"constant_score": {"filter": {"bool": {"must": concepts}}, "boost": EVERY_CONCEPT_LIFT}})
    if len(request.terms) > 1:
        # The reader's exact words, in order, rank first.
        should.append(
            {
                "multi_match": {
                    "query": request.text,
                    "type": "phrase",
                    "fields": ["title^2", "franchise_names^2", "standfirst"],
                    "boost": 2,
                }
            }
        )
    if should:
        query["bool"]["should"] = should
    return {"function_score": {"query": query, "functions": [RECENCY], "boost_mode": "sum"}}


class ElasticsearchReaderSearch:
    name = "elasticsearch"

    def __init__(self, client=None):
        self.client = client or get_client()

    def filter_clauses(self, request, skip=None):
        clauses = []
        for facet in FACETS:
            if facet != skip and request.filters.get(facet):
                clauses.append({"terms": {facet: request.filters[facet]}})
        if request.date and skip != "date":
            clauses.append({"range": {"published_at": {"gte": request.published_since.isoformat()}}})
        return clauses

    def body(self, request):
        query = text_query(request) if request.terms else {"match_all": {}}
        aggs = {}
        for facet in FACETS:
            aggs[facet] = faceted(self.filter_clauses(request, skip=facet), {"terms": {"field": facet, "size": 10}})
        aggs["date"] = faceted(
            self.filter_clauses(request, skip="date"),
            {
                "date_range": {
                    "field": "published_at",
                    "ranges": [{"key": name, "from": f"now-{span.days}d"} for name, span in DATE_RANGES.items()],
                }
            },
        )
        sort = ["_score", {"published_at": "desc"}]
        if request.sort == "newest" or not request.terms:
            sort = [{"published_at": "desc"}]
        body = {
            "query": query,
            "post_filter": {"bool": {"filter": self.filter_clauses(request)}},
            "aggs": aggs,
            "sort": sort,
            "from": (request.page - 1) * PER_PAGE,
            "size": PER_PAGE,
            "track_total_hits": True,
            "highlight": {
                "encoder": "html",
                "pre_tags": ["<mark>"],
                "post_tags": ["</mark>"],
                "fields": {
                    "standfirst": {"number_of_fragments": 0},
                    "body": {"fragment_size": 200, "number_of_fragments": 1},
                },
            },
        }
        if request.terms:
            body["suggest"] = {
                "spelling": {"text": " ".join(request.terms), "term": {"field": "title", "suggest_mode": "popular"}}
            }
        return body

    def search(self, request):
        response = self.client.search(self.body(request))
        hits = response["hits"]["hits"]
        total = response["hits"]["total"]["value"]
        results = []
        for hit in hits:
            fragments = hit.get("highlight", {})
            snippet = (fragments.get("body") or fragments.get("standfirst") or [None])[0]
            results.append(Hit(int(hit["_id"]), snippet_html(snippet) if snippet else None))
        search_results = SearchResults(hits=results, total=total, page=request.page)
        search_results.facets = {facet: self.facet_values(facet, response, request) for facet in FACETS}
        search_results.dates = [
            FacetValue(bucket["key"], DATE_LABELS[bucket["key"]], bucket["doc_count"], request.date == bucket["key"])
            for bucket in facet_buckets(response, "date")
        ]
        if not total:
            search_results.suggestion = self.spelling(response, request)
            search_results.popular_franchises = popular_franchises()
        return search_results

    def facet_values(self, facet, response, request):
        buckets = facet_buckets(response, facet)
        slugs = [bucket["key"] for bucket in buckets]
        labels = facet_labels(facet, slugs)
        selected = set(request.filters.get(facet, []))
        if facet == "rating":
            buckets = sorted(buckets, key=lambda bucket: bucket["key"], reverse=True)
        return [
            FacetValue(
                bucket["key"], labels.get(bucket["key"], bucket["key"]), bucket["doc_count"], bucket["key"] in selected
            )
            for bucket in buckets
        ]

    def spelling(self, response, request):
        corrected, changed = [], False
        for entry in response.get("suggest", {}).get("spelling", []):
            if entry["options"]:
                corrected.append(entry["options"][0]["text"])
                changed = True
            else:
                corrected.append(entry["text"])
        return " ".join(corrected) if changed else ""


def faceted(other_filters, aggregation):
    """A facet's counts under every selected filter but its own (multi-select).

    With no other filter the aggregation runs on the query's hits directly.
    """
    if not other_filters:
        return aggregation
    return {"filter": {"bool": {"filter": other_filters}}, "aggs": {"values": aggregation}}


def facet_buckets(response, name):
    aggregation = response["aggregations"][name]
    return aggregation.get("values", aggregation)["buckets"]


def snippet_html(fragment):
    from django.utils.safestring import mark_safe

    # The highlighter escaped the text (encoder "html"); only our <mark> tags remain.
    return mark_safe(re.sub(r"\s+", " ", fragment).strip())


def facet_labels(facet, slugs):
    if not slugs:
        return {}
    if facet == "franchise":
        return dict(FranchiseTag.objects.filter(slug__in=slugs).values_list("slug", "name"))
    if facet == "series":
        return dict(SeriesHubPage.objects.filter(slug__in=slugs).values_list("slug", "title"))
    if facet == "rating":
        return {slug: STAR_BAND_LABELS[int(slug)] for slug in slugs if slug in STAR_BANDS}
    if facet == "section":
        return dict(SectionPage.objects.filter(slug__in=slugs, depth=3).values_list("slug", "title"))
    return dict(Author.objects.filter(slug__in=slugs).values_list("slug", "name"))


def suggest_stories(text, limit=5, client=None):
    """Typeahead stories from the index: search-as-you-type on headlines."""
    client = client or get_client()
    response = client.search(
        {
            "query": {
                "multi_match": {
                    "query": text,
                    "type": "bool_prefix",
                    "fields": ["title.suggest", "title.suggest._2gram", "title.suggest._3gram"],
                }
            },
            "size": limit,
            "_source": False,
        }
    )
    ids = [int(hit["_id"]) for hit in response["hits"]["hits"]]
    stories = {story.pk: story for story in ArticlePage.objects.cards().filter(pk__in=ids)}
    return [{"title": stories[pk].title, "url": stories[pk].url} for pk in ids if pk in stories]
