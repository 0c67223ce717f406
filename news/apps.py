from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = "Newsroom"

    def ready(self):
        from wagtail.images import get_image_model
        from wagtail.models import PageViewRestriction
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from caching.page_cache import purge_when_changed, register_edge_urls
        from news.cards import new_card_version
        from news.models import Author, FranchiseTag, SectionPage, SeriesHubPage
        from news.purges import story_listing_urls

        purge_when_changed(Author, FranchiseTag)
        register_edge_urls(story_listing_urls)

        # What a story card shows that is not on the story's own row.
        for model in (Author, FranchiseTag, get_image_model(), PageViewRestriction):
            post_save.connect(new_card_version, sender=model, dispatch_uid=f"story-cards-{model._meta.label}-save")
            post_delete.connect(new_card_version, sender=model, dispatch_uid=f"story-cards-{model._meta.label}-delete")
        for page_class in (SectionPage, SeriesHubPage):
            for signal in (page_published, page_unpublished, post_page_move):
                uid = f"story-cards-{page_class.__name__}-{id(signal)}"
                signal.connect(new_card_version, sender=page_class, dispatch_uid=uid)
