from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editorial workflow"

    def ready(self):
        from django.db.models.signals import post_save

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

        from editorial import notifications
        from editorial.dashboard import check_scheduled_publishing
        from editorial.newsroom import grant_new_section
        from news.models import SectionPage
        from operations.health import register_probe

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
        post_save.connect(grant_new_section, sender=SectionPage, dispatch_uid="talkies_grant_new_section")
        register_probe("scheduled_publishing", check_scheduled_publishing)
