from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = "Newsroom"

    def ready(self):
        from caching.page_cache import purge_when_changed, register_edge_urls
        from news.models import Author, FranchiseTag
        from news.purges import story_listing_urls

        purge_when_changed(Author, FranchiseTag)
        register_edge_urls(story_listing_urls)
