from django import template

from wagtail.models import Page

from home.navigation import top_level_pages

register = template.Library()


@register.simple_tag(takes_context=True)
def site_menu(context):
    return [page for page in top_level_pages(context.get("request")).values() if page.show_in_menus]


@register.simple_tag(takes_context=True)
def section_of(context, page):
    """The section a story sits in, without a query per story card."""
    return top_level_pages(context.get("request")).get(page.path[: -Page.steplen])
