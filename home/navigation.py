"""The pages directly under the home page (sections, the series index).

Loaded once per request and shared by routing, the navigation and story
cards, which all need them.
"""

from django.conf import settings

from wagtail.models import Page

from caching.page_cache import kept_for_generation
from news.models.visibility import visible_to_readers


def top_level_pages(request):
    """Live, public pages at depth 3, by path. Kept across requests under the
    page cache's generation when fragment caching is on: they change only
    with a publish, move or restriction, which start a new generation."""
    cached = getattr(request, "_talkies_top_level_pages", None) if request is not None else None
    if cached is None:
        if settings.FRAGMENT_CACHE_SECONDS:
            cached = kept_for_generation("top-level-pages", load_top_level_pages)
        else:
            cached = load_top_level_pages()
        if request is not None:
            request._talkies_top_level_pages = cached
    return cached


def load_top_level_pages():
    pages = visible_to_readers(Page.objects.filter(depth=3)).order_by("path")
    return {page.path: page for page in pages}
