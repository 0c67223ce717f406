"""The pages directly under the home page (sections, the series index).

Loaded once per request and shared by routing, the navigation and story
cards, which all need them.
"""

from wagtail.models import Page

from news.models.visibility import visible_to_readers


def top_level_pages(request):
    """Live, public pages at depth 3, by path."""
    cached = getattr(request, "_talkies_top_level_pages", None) if request is not None else None
    if cached is None:
        pages = visible_to_readers(Page.objects.filter(depth=3)).order_by("path")
        cached = {page.path: page for page in pages}
        if request is not None:
            request._talkies_top_level_pages = cached
    return cached
