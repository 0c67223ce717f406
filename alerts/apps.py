from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Reader alerts"

    def ready(self):
        from django.db.models.signals import post_delete

        from wagtail.models import PageViewRestriction
        from wagtail.signals import page_published, post_page_move

        from alerts.outbox import record_move, record_publication, record_restriction_lifted

        # Every way a story can first become visible to readers.
        page_published.connect(record_publication, dispatch_uid="talkies_alert_publication")
        post_delete.connect(
            record_restriction_lifted, sender=PageViewRestriction, dispatch_uid="talkies_alert_restriction_lifted"
        )
        post_page_move.connect(record_move, dispatch_uid="talkies_alert_move")
