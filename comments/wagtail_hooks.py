from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from comments.models import ReaderComment
from comments.moderation import approve, mark_spam


class ModerationQueueMenuItem(MenuItem):
    """ "Reader comments (3)": the count of comments awaiting moderation."""

    def is_shown(self, request):
        return request.user.has_perm("comments.moderate_readercomment")

    def render_component(self, request):
        component = super().render_component(request)
        pending = ReaderComment.objects.pending().count()
        if pending:
            component.label = f"{self.label} ({pending})"
        return component


class ReaderCommentViewSet(SnippetViewSet):
    """The moderation queue: pending first, filter by status and story;
    approve, mark as spam or delete, one at a time or in bulk."""

    model = ReaderComment
    icon = "comment"
    menu_label = "Reader comments"
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["name", "body", "page", "status", "created_at"]
    # By story title: a dropdown of every story would hold the whole archive.
    list_filter = {"status": ["exact"], "page__title": ["icontains"]}
    search_fields = ["name", "email", "body"]
    ordering = ["status", "-created_at"]
    panels = [FieldPanel("status"), FieldPanel("name"), FieldPanel("email"), FieldPanel("body")]

    @property
    def menu_item_class(self):
        return ModerationQueueMenuItem


register_snippet(ReaderCommentViewSet)


@hooks.register("after_edit_snippet")
def approve_comment_saved_as_approved(request, instance):
    """Approving in the edit form does what the Approve action does."""
    if isinstance(instance, ReaderComment) and instance.status == ReaderComment.Status.APPROVED:
        approve([instance], request.user)


class ModerationBulkAction(SnippetBulkAction):
    models = [ReaderComment]
    template_name = "comments/admin/confirm_bulk_moderation.html"

    def check_perm(self, comment):
        return self.request.user.has_perm("comments.moderate_readercomment")

    def object_context(self, comment):
        return {"item": comment}

    def get_context_data(self, **kwargs):
        return super().get_context_data(action_title=self.display_name, **kwargs)

    def get_success_message(self, num_parent_objects, num_child_objects):
        return f"{self.display_name}: {num_parent_objects} comment{'s' if num_parent_objects != 1 else ''}."


@hooks.register("register_bulk_action")
class ApproveCommentsBulkAction(ModerationBulkAction):
    display_name = "Approve"
    action_type = "approve"
    aria_label = "Approve the selected comments"
    action_priority = 10

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        approve(ReaderComment.objects.filter(pk__in=[comment.pk for comment in objects]).select_related("page"), user)
        return len(objects), 0


@hooks.register("register_bulk_action")
class MarkCommentsAsSpamBulkAction(ModerationBulkAction):
    display_name = "Mark as spam"
    action_type = "mark_spam"
    aria_label = "Move the selected comments to the spam folder"
    action_priority = 20

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        mark_spam(objects)
        return len(objects), 0
