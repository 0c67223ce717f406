from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = "Live coverage"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from caching.page_cache import register_edge_urls
        from live.models import BreakingNewsBanner, LiveCoverage, LiveUpdate
        from live.purges import live_edge_urls, purge_banner, purge_live_story

        register_edge_urls(live_edge_urls)
        for model in (LiveCoverage, LiveUpdate):
            for signal in (post_save, post_delete):
                signal.connect(purge_live_story, sender=model, dispatch_uid=f"talkies_live_{model.__name__}_{signal}")
        for signal in (post_save, post_delete):
            signal.connect(purge_banner, sender=BreakingNewsBanner, dispatch_uid=f"talkies_banner_{signal}")
        m2m_changed.connect(
            purge_live_story, sender=LiveUpdate.authors.through, dispatch_uid="talkies_live_update_byline"
        )
