from django.urls import include, path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from alerts import admin_views
from alerts.models import AlertDelivery, DigestDelivery, Follower


class FollowerViewSet(ModelViewSet):
    """Readers' addresses: looked up, never edited here (they manage their
    own alerts from the links in every email)."""

    model = Follower
    name = "reader_followers"
    url_prefix = "reader-alerts/followers"
    icon = "user"
    menu_label = "Followers"
    inspect_view_enabled = True
    list_display = ["email", "frequency", "confirmed_at", "unsubscribed_at", "bounced_at"]
    list_filter = ["frequency"]
    search_fields = ["email"]
    ordering = ["email"]
    form_fields = ["frequency"]


class AlertDeliveryViewSet(ModelViewSet):
    """The delivery log of story alerts: read-only."""

    model = AlertDelivery
    name = "alert_deliveries"
    url_prefix = "reader-alerts/alert-deliveries"
    icon = "mail"
    menu_label = "Alert delivery log"
    inspect_view_enabled = True
    list_display = ["created_at", "alert", "follower", "status", "attempts", "last_error", "sent_at"]
    list_filter = ["status"]
    search_fields = ["follower__email"]
    ordering = ["-created_at"]
    form_fields = ["status"]  # never editable: nobody gets add or change permission


class DigestDeliveryViewSet(AlertDeliveryViewSet):
    model = DigestDelivery
    name = "digest_deliveries"
    url_prefix = "reader-alerts/digest-deliveries"
    menu_label = "Digest delivery log"
    list_display = ["digest_date", "follower", "story_count", "status", "attempts", "last_error", "sent_at"]
    list_filter = ["status", "digest_date"]
    ordering = ["-digest_date", "-pk"]


class ReaderAlertsViewSetGroup(ModelViewSetGroup):
    items = (FollowerViewSet, AlertDeliveryViewSet, DigestDeliveryViewSet)
    menu_icon = "mail"
    menu_label = "Reader alerts"
    menu_name = "reader-alerts"
    menu_order = 850


@hooks.register("register_admin_viewset")
def register_reader_alerts():
    return ReaderAlertsViewSetGroup()


@hooks.register("register_admin_urls")
def register_follower_report_urls():
    urls = [
        path("followers-by-topic/", admin_views.followers_by_topic, name="followers_by_topic"),
        path("followers-by-topic/export/", admin_views.export_followers, name="export_followers"),
    ]
    return [path("reader-alerts/", include((urls, "alerts_admin"), namespace="alerts_admin"))]


class FollowersReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("alerts.view_follower")


@hooks.register("register_reports_menu_item")
def register_followers_report_menu_item():
    return FollowersReportMenuItem(
        "Followers by topic", reverse("alerts_admin:followers_by_topic"), icon_name="mail", order=800
    )
