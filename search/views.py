import hashlib
import logging

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wagtail.contrib.search_promotions.models import SearchPromotion
from wagtail.models import Page
from wagtail.search.utils import normalise_query_string

from caching.page_cache import fragment_cache_enabled, kept_for_generation
from news.models.visibility import visible_to_readers
from search.backends import DatabaseReaderSearch, show_stories, suggestions
from search.elasticsearch import ElasticsearchReaderSearch, engine, suggest_stories
from search.models import SearchQueryDay
from search.query import FACETS, BadSearchRequest, clean_text, parse

FACET_LABELS = {
    "franchise": "Franchise",
    "series": "Series",
    "section": "Section",
    "author": "Author",
    "rating": "Rating",
}
SUGGEST_MIN_LENGTH = 2


logger = logging.getLogger(__name__)


def promotions_for(text):
    """Editors' picks for this query (Wagtail search promotions), live and
    public only; kept under the generation, which a publish, a restriction
    or a change to the picks starts anew (search.apps)."""
    if not text:
        return []
    query = normalise_query_string(text)
    return kept_for_generation(
        f"search-promotions:{hashlib.sha256(query.encode()).hexdigest()}", lambda: load_promotions(query)
    )


def load_promotions(query):
    picks = list(
        SearchPromotion.objects.filter(query__query_string=query).select_related("page").order_by("sort_order")
    )
    page_ids = [pick.page_id for pick in picks if pick.page_id]
    # Most queries have no picks: one query, not two.
    visible_pages = (
        set(visible_to_readers(Page.objects.filter(pk__in=page_ids)).values_list("pk", flat=True))
        if page_ids
        else set()
    )
    return [
        pick
        for pick in picks
        if (pick.page_id and pick.page_id in visible_pages) or (not pick.page_id and pick.external_link_url)
    ]


def run_search(search_request, http_request):
    """Search Elasticsearch when configured; if it is down or slow, answer
    from the database and say so."""
    highlight_terms = search_request.highlight_terms
    if engine():
        try:
            results = ElasticsearchReaderSearch().search(search_request)
            return show_stories(results, http_request, highlight_terms), False
        except Exception:
            logger.exception("Reader search fell back to the database")

    def database_results():
        return show_stories(DatabaseReaderSearch().search(search_request), http_request, highlight_terms)

    return kept_database_results(http_request, search_request, database_results), bool(engine())


def kept_database_results(http_request, search_request, load):
    """The database's results for this exact search, kept (a minute by
    default, SEARCH_RESULTS_SECONDS) under the page cache's generation: a reader search runs the same few queries
    all day (a show's name the night it premieres), and the database index is
    written in the publish's own transaction, so a publish, unpublish, move or
    restriction, which all start a new generation, is never hidden by it. The
    search server's results are not kept: its index is written after the
    publish, by the worker. The query log still counts every search."""
    if not fragment_cache_enabled(http_request) or not settings.SEARCH_RESULTS_SECONDS:
        return load()
    identity = repr((search_request.params(), search_request.page))
    key = f"search-results:{hashlib.sha256(identity.encode()).hexdigest()}"
    return kept_for_generation(key, load, seconds=settings.SEARCH_RESULTS_SECONDS)


@require_GET
def search_page(request):
    context = {"search_query": request.GET.get("q", "")[:200]}
    try:
        search_request = parse(request.GET)
    except BadSearchRequest as error:
        context["error"] = str(error)
        return render(request, "search/search_page.html", context, status=400)
    context.update(search_request=search_request, search_query=search_request.text)
    if not search_request.is_empty:
        results, degraded = run_search(search_request, request)
        context["results"] = results
        context["degraded"] = degraded
        if search_request.page == 1:
            context["promotions"] = promotions_for(search_request.text)
            if search_request.text:
                SearchQueryDay.record(search_request.text, found=results.total > 0)
        context["facet_groups"] = [
            (facet, FACET_LABELS[facet], results.facets[facet]) for facet in FACETS if results.facets[facet]
        ]
    return render(request, "search/search_page.html", context)


@require_GET
def suggest(request):
    text = clean_text(request.GET.get("q", ""))[:100]
    if len(text) < SUGGEST_MIN_LENGTH:
        return JsonResponse({"query": text, "stories": [], "series": [], "franchises": []})
    data = suggestions(text)
    if engine():
        try:
            data["stories"] = suggest_stories(text)
        except Exception:
            logger.exception("Typeahead fell back to the database")
    return JsonResponse(data)
