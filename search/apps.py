from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Reader search"

    def ready(self):
        from operations.health import register_probe
        from search.health import check_search
        from search.signals import connect_signals

        connect_signals()
        register_probe("search", check_search)
