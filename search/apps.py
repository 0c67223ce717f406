from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Reader search"

    def ready(self):
        from wagtail.contrib.search_promotions.models import Query, SearchPromotion

        from caching.page_cache import purge_when_changed
        from operations.health import register_probe
        from search.health import check_search
        from search.models import SearchSynonym
        from search.signals import connect_signals

        connect_signals()
        # Kept under the generation by reader search (synonyms, promotions).
        purge_when_changed(SearchSynonym, SearchPromotion, Query)
        register_probe("search", check_search)
