from django.core.paginator import Paginator
from django.http import Http404

DEFAULT_PER_PAGE = 12


def paginate(request, object_list, per_page=DEFAULT_PER_PAGE):
    """One page of a listing, or 404 for a page number that does not exist.

    `?page=abc`, `0`, `-1` and pages past the end are 404s rather than a
    silent redirect to page one, so crawlers do not index endless duplicates.
    """
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or len(raw) > 6 or int(raw) < 1:
        raise Http404("No such page")
    paginator = Paginator(object_list, per_page)
    number = int(raw)
    if number > max(paginator.num_pages, 1):
        raise Http404("No such page")
    page = paginator.page(number)
    # Evaluated here so that callers can prefetch onto the very objects shown.
    page.object_list = list(page.object_list)
    return page
