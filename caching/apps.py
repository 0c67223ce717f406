from django.apps import AppConfig


class CachingConfig(AppConfig):
    name = "caching"
    verbose_name = "Page, fragment and edge caches"

    def ready(self):
        from caching.page_cache import connect_signals

        connect_signals()
