from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "Home page and site settings"

    def ready(self):
        from caching.page_cache import purge_when_changed
        from home.models import SiteSettings

        purge_when_changed(SiteSettings)
