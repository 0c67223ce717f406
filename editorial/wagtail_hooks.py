from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import WorkflowState

from editorial import calendar_views
from editorial.dashboard import construct_panels
from editorial.models import EditorialNotification, PlannedStory


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


class PlannedStoryViewSet(ModelViewSet):
    """Pitches on the editorial calendar, planned by editors."""

    model = PlannedStory
    icon = "date"
    menu_label = "Planned stories"
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["working_title", "section", "assignee", "target_date", "draft"]
    list_filter = ["section", "assignee"]
    search_fields = ["working_title", "notes"]
    form_fields = ["working_title", "section", "series", "assignee", "target_date", "notes"]


@hooks.register("register_admin_viewset")
def register_planned_stories():
    return PlannedStoryViewSet("planned_stories")


@hooks.register("register_admin_urls")
def register_calendar_urls():
    return [
        path("calendar/", calendar_views.calendar_view, name="editorial_calendar"),
        path("calendar/move/<int:revision_id>/", calendar_views.move_scheduled, name="editorial_calendar_move"),
        path("calendar/draft/<int:planned_id>/", calendar_views.start_draft, name="editorial_calendar_draft"),
        path("calendar/feed/replace/", calendar_views.replace_feed, name="editorial_calendar_replace_feed"),
    ]


@hooks.register("register_admin_menu_item")
def register_calendar_menu_item():
    return MenuItem("Calendar", reverse("editorial_calendar"), icon_name="calendar", order=300)


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
