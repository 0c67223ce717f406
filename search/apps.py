from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Reader search"

    def ready(self):
        from django.db.models.signals import post_delete

        from wagtail.signals import page_published, page_unpublished, post_page_move

        from news.models import ArticlePage
        from operations.health import register_probe
        from search.health import check_search
        from search.signals import queue_reader_index_update

        for signal, name in ((page_published, "publish"), (page_unpublished, "unpublish"), (post_page_move, "move")):
            signal.connect(queue_reader_index_update, dispatch_uid=f"talkies_reader_index_{name}")
        post_delete.connect(queue_reader_index_update, sender=ArticlePage, dispatch_uid="talkies_reader_index_delete")
        register_probe("search", check_search)
