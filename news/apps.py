from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = "Newsroom"

    def ready(self):
        from wagtail.models import TaskState, WorkflowState
        from wagtail.signals import (
            page_published,
            task_approved,
            task_rejected,
            task_submitted,
            workflow_approved,
            workflow_rejected,
            workflow_submitted,
        )

        from news import notifications

        # Wagtail's own moderation emails are sent inside the request; ours go
        # through Celery. Remove Wagtail's so nothing is sent twice.
        task_submitted.disconnect(sender=TaskState, dispatch_uid="group_approval_task_submitted_email_notification")
        workflow_submitted.disconnect(sender=WorkflowState, dispatch_uid="workflow_state_submitted_email_notification")
        workflow_rejected.disconnect(sender=WorkflowState, dispatch_uid="workflow_state_rejected_email_notification")
        workflow_approved.disconnect(sender=WorkflowState, dispatch_uid="workflow_state_approved_email_notification")

        task_submitted.connect(
            notifications.on_task_submitted, sender=TaskState, dispatch_uid="talkies_task_submitted"
        )
        task_approved.connect(notifications.on_task_approved, sender=TaskState, dispatch_uid="talkies_task_approved")
        task_rejected.connect(notifications.on_task_rejected, sender=TaskState, dispatch_uid="talkies_task_rejected")
        page_published.connect(notifications.on_page_published, dispatch_uid="talkies_page_published")

        from django.db.models.signals import post_save

        from news.models import SectionPage

        post_save.connect(_grant_new_section, sender=SectionPage, dispatch_uid="talkies_grant_new_section")

        from django.db.models.signals import post_delete

        from caching.page_cache import purge_when_changed, register_edge_urls
        from news.caching import purge_if_public_comment, story_listing_urls
        from news.models import Author, FranchiseTag, ReaderComment

        purge_when_changed(Author, FranchiseTag)
        register_edge_urls(story_listing_urls)

        from news.dashboard import check_scheduled_publishing
        from operations.health import register_probe

        register_probe("scheduled_publishing", check_scheduled_publishing)
        for signal in (post_save, post_delete):
            signal.connect(purge_if_public_comment, sender=ReaderComment, dispatch_uid=f"talkies_comment_{signal}")


def _grant_new_section(sender, instance, created, raw=False, **kwargs):
    """A new section is open to writers and copy editors straight away."""
    if created and not raw:
        from news.newsroom import grant_section_permissions

        grant_section_permissions(instance)
