from datetime import timedelta

from django.urls import path, reverse
from django.utils import timezone

from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.widgets import Button

from news.models import ArticlePage
from readership import admin_views


@hooks.register("register_admin_urls")
def register_reads_urls():
    return [path("reads/<int:page_id>/", admin_views.story_reads, name="readership_story_reads")]


def reads_button(page, user, priority):
    if issubclass(page.specific_class or type(page), ArticlePage) and page.permissions_for_user(user).can_edit():
        yield Button("Reads", reverse("readership_story_reads", args=[page.pk]), icon_name="view", priority=priority)


@hooks.register("register_page_header_buttons")
def story_reads_header_button(page, user, view_name, next_url=None):
    yield from reads_button(page, user, priority=66)


@hooks.register("register_page_listing_more_buttons")
def story_reads_listing_button(page, user, next_url=None):
    yield from reads_button(page, user, priority=55)


class ReadsPanel(Component):
    """The site's reads, and the most-read public stories, on the dashboard."""

    name = "reads"
    order = 60
    template_name = "readership/dashboard_panel.html"

    def get_context_data(self, parent_context):
        summary = admin_views.reads_summary()
        most_read = admin_views.most_read_stories(timezone.now() - timedelta(hours=24), 5)
        return {**summary, "most_read": most_read}


@hooks.register("construct_homepage_panels")
def add_reads_panel(request, panels):
    panels.append(ReadsPanel())
