from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Reader comments"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from comments.models import ReaderComment, approved_comment_count
        from comments.moderation import purge_if_public_comment
        from news.models.article import register_card_annotation

        register_card_annotation("comment_count", approved_comment_count)
        for signal in (post_save, post_delete):
            signal.connect(purge_if_public_comment, sender=ReaderComment, dispatch_uid=f"talkies_comment_{signal}")
