from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from search.admin_views import search_queries_report
from search.models import SearchSynonym


class SearchSynonymViewSet(SnippetViewSet):
    """Editors' synonyms for reader search, under Settings; they take effect
    on the next search."""

    model = SearchSynonym
    icon = "search"
    menu_label = "Search synonyms"
    add_to_settings_menu = True
    list_display = ["terms"]
    search_fields = ["terms"]


register_snippet(SearchSynonymViewSet)


@hooks.register("register_admin_urls")
def register_search_report_url():
    return [path("reports/reader-searches/", search_queries_report, name="reader_search_report")]


class ReaderSearchReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("search.view_searchqueryday")


@hooks.register("register_reports_menu_item")
def register_search_report_menu_item():
    return ReaderSearchReportMenuItem(
        "Reader searches", reverse("reader_search_report"), icon_name="search", order=700
    )
