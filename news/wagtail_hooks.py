from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import WorkflowState
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from news.dashboard import construct_panels
from news.models import Author, EditorialNotification, FranchiseTag, ReaderComment


class AuthorViewSet(SnippetViewSet):
    model = Author
    icon = "user"
    menu_label = "Authors"
    list_display = ["name", "role", "slug"]
    search_fields = ["name", "role"]
    ordering = ["name"]


class FranchiseTagViewSet(SnippetViewSet):
    model = FranchiseTag
    icon = "tag"
    menu_label = "Franchise tags"
    list_display = ["name", "slug"]
    search_fields = ["name"]
    ordering = ["name"]
    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description"), FieldPanel("image")]


class NewsroomViewSetGroup(SnippetViewSetGroup):
    items = (AuthorViewSet, FranchiseTagViewSet)
    menu_icon = "group"
    menu_label = "Newsroom"
    menu_name = "newsroom"


register_snippet(NewsroomViewSetGroup)


class EditorialNotificationViewSet(ModelViewSet):
    """The delivery log of newsroom notifications: read-only for editors."""

    model = EditorialNotification
    icon = "mail"
    menu_label = "Notification log"
    menu_order = 900
    add_to_admin_menu = True
    inspect_view_enabled = True
    list_display = ["created_at", "event", "page_title", "target", "channel", "status", "attempts"]
    list_filter = ["status", "event", "channel"]
    search_fields = ["page_title", "target", "subject"]
    ordering = ["-created_at"]
    inspect_view_fields = [
        "created_at",
        "event",
        "page_title",
        "subject",
        "message",
        "actor",
        "channel",
        "target",
        "status",
        "attempts",
        "last_error",
        "sent_at",
    ]
    form_fields = ["status"]  # never editable: nobody gets add or change permission


@hooks.register("register_admin_viewset")
def register_notification_log():
    return EditorialNotificationViewSet("editorial_notifications")


@hooks.register("construct_homepage_panels")
def add_newsroom_panels(request, panels):
    construct_panels(request, panels)


@hooks.register("before_edit_page")
def resubmission_restarts_review(request, page):
    """Revised copy goes through copy edit again.

    When a reviewer requests changes, Wagtail resumes the workflow at the
    step that asked for them. In this newsroom the writer's revision is new
    copy, so resubmitting restarts "Editorial review" from "Copy edit".
    """
    if request.method != "POST" or not request.POST.get("action-submit"):
        return None
    state = page.current_workflow_state
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        data = request.POST.copy()
        del data["action-submit"]
        data["action-restart-workflow"] = "action-restart-workflow"
        request.POST = data
    return None


class ModerationQueueMenuItem(MenuItem):
    """ "Reader comments (3)": the count of comments awaiting moderation."""

    def is_shown(self, request):
        return request.user.has_perm("news.moderate_readercomment")

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
        from news.comments import approve

        approve([instance], request.user)


class ModerationBulkAction(SnippetBulkAction):
    models = [ReaderComment]
    template_name = "news/admin/confirm_bulk_moderation.html"

    def check_perm(self, comment):
        return self.request.user.has_perm("news.moderate_readercomment")

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
        from news.comments import approve

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
        from news.comments import mark_spam

        mark_spam(objects)
        return len(objects), 0
