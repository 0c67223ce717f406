"""Pages of a listing, numbered, with a clear cap.

A listing's page is one small query for its rows and one count. With
fragment caching on, both are kept under the page cache's generation (a
publish, unpublish, move or restriction starts a new one), so a reader
request reads them from the cache and the story cards from theirs
(news/cards.py); the first request after a publish runs the two queries
again.

Pages stop at `MAX_PAGES`: past it a listing answers 404, and older stories
are found through search, the feeds and the sitemaps. An OFFSET costs the
database more the deeper it goes; capped, the deepest page costs about what
the first does.
"""

from dataclasses import dataclass, field

from django.http import Http404

from caching.page_cache import fragment_cache_enabled, kept_for_generation

DEFAULT_PER_PAGE = 12
MAX_PAGES = 100


@dataclass
class ListingPage:
    """The part of Django's paginator `Page` that templates use, small enough to keep in the cache."""

    number: int
    count: int
    per_page: int
    object_list: list = field(default_factory=list)

    @property
    def paginator(self):
        return self

    @property
    def num_pages(self):
        return min(max(-(-self.count // self.per_page), 1), MAX_PAGES)

    def has_next(self):
        return self.number < self.num_pages

    def has_previous(self):
        return self.number > 1

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)


def page_number(request):
    """The requested page, or 404: `?page=abc`, `0`, `-1` and pages past the
    cap are 404s rather than a silent redirect to page one, so crawlers do
    not index endless duplicates."""
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or len(raw) > 6 or not 1 <= int(raw) <= MAX_PAGES:
        raise Http404("No such page")
    return int(raw)


def load_page(object_list, number, per_page):
    if callable(object_list):
        object_list = object_list()
    start = (number - 1) * per_page
    rows = list(object_list[start : start + per_page])
    # A full first page needs a count for the page links; a short one is the count.
    count = len(rows) if number == 1 and len(rows) < per_page else object_list.count()
    return ListingPage(number=number, count=count, per_page=per_page, object_list=rows)


def paginate(request, object_list, per_page=DEFAULT_PER_PAGE, kept_as=None):
    """One page of a listing, or 404 for a page that does not exist.

    `object_list` is a queryset, or a function returning one (so a kept page
    costs no query building). With `kept_as`, a name unique to the listing,
    the page is kept under the page cache's generation for reader requests.
    """
    number = page_number(request)
    if kept_as and fragment_cache_enabled(request):
        page = kept_for_generation(
            f"listing:{kept_as}:{per_page}:{number}", lambda: load_page(object_list, number, per_page)
        )
    else:
        page = load_page(object_list, number, per_page)
    if number > page.num_pages:
        raise Http404("No such page")
    return page
