from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone

from search.models import SearchQueryDay

REPORT_DAYS = 30
REPORT_ROWS = 50


def search_queries_report(request):
    """Editors' report: what readers searched for in the last 30 days, and
    what found nothing (candidates for promotions or synonyms)."""
    if not request.user.has_perm("search.view_searchqueryday"):
        raise PermissionDenied
    since = timezone.localdate() - timedelta(days=REPORT_DAYS - 1)
    recent = SearchQueryDay.objects.filter(day__gte=since).values("query")
    top = recent.annotate(total=Sum("searches"), misses=Sum("zero_results")).order_by("-total", "query")[:REPORT_ROWS]
    zero = (
        recent.annotate(misses=Sum("zero_results"), total=Sum("searches"))
        .filter(misses__gt=0)
        .order_by("-misses", "query")[:REPORT_ROWS]
    )
    return render(
        request,
        "search/admin/search_queries_report.html",
        {"top_queries": list(top), "zero_result_queries": list(zero), "days": REPORT_DAYS},
    )
