from django.urls import include, path, reverse

from wagtail import hooks
from wagtail.admin.panels import FieldPanel, PageChooserPanel
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from live import admin_views
from live.models import BreakingNewsBanner
from live.permissions import may_post
from news.models import ArticlePage


@hooks.register("register_admin_urls")
def live_admin_urls():
    urls = [
        path("<int:page_id>/", admin_views.coverage_desk, name="desk"),
        path("updates/<int:update_id>/edit/", admin_views.edit_update, name="edit_update"),
        path("updates/<int:update_id>/change/", admin_views.change_update, name="change_update"),
        path("updates/<int:update_id>/history/", admin_views.update_history, name="update_history"),
    ]
    return [path("live/", include((urls, "live_admin")))]


def live_desk_button(page, user, priority):
    if isinstance(page.specific_deferred, ArticlePage) and may_post(user, page):
        yield Button("Live coverage", reverse("live_admin:desk", args=[page.pk]), icon_name="pick", priority=priority)


@hooks.register("register_page_header_buttons")
def live_header_button(page, user, view_name=None, next_url=None):
    yield from live_desk_button(page, user, 30)


@hooks.register("register_page_listing_more_buttons")
def live_listing_button(page, user, next_url=None):
    yield from live_desk_button(page, user, 30)


class BreakingNewsBannerViewSet(SnippetViewSet):
    model = BreakingNewsBanner
    icon = "warning"
    menu_label = "Breaking news"
    add_to_admin_menu = True
    menu_order = 250
    list_display = ["text", "priority", "starts_at", "expires_at"]
    ordering = ["-starts_at"]
    panels = [
        FieldPanel("text"),
        PageChooserPanel("link"),
        FieldPanel("priority"),
        FieldPanel("starts_at"),
        FieldPanel("expires_at"),
    ]


register_snippet(BreakingNewsBannerViewSet)
