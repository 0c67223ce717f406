from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "Home page and site settings"

    def ready(self):
        import config.login_throttle  # noqa: F401 (connects the failed-login counter)
        from config.page_cache import connect_signals

        connect_signals()
