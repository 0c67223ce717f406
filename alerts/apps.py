from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Reader alerts"

    def ready(self):
        from wagtail.signals import page_published

        from alerts.outbox import record_first_publication

        page_published.connect(record_first_publication, dispatch_uid="talkies_alert_first_publication")
