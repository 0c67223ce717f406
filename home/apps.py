from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "Home page and site settings"

    def ready(self):
        from config.page_cache import connect_signals

        connect_signals()
