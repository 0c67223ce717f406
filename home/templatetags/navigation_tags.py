import contextlib

from django import template

from wagtail.models import Page

register = template.Library()


def _sections_by_path(context):
    """Live sections of the site, loaded once per request for nav and cards."""
    from news.models import SectionPage

    request = context.get("request")
    holder = request if request is not None else context
    cached = getattr(holder, "_talkies_sections", None)
    if cached is None:
        sections = SectionPage.objects.live().public().filter(depth=3).order_by("path")
        cached = {section.path: section for section in sections}
        with contextlib.suppress(AttributeError):
            holder._talkies_sections = cached
    return cached


@register.simple_tag(takes_context=True)
def site_sections(context):
    return [section for section in _sections_by_path(context).values() if section.show_in_menus]


@register.simple_tag(takes_context=True)
def site_menu_links(context):
    from news.models import SeriesIndexPage

    links = []
    series_index = SeriesIndexPage.objects.live().public().filter(show_in_menus=True).first()
    if series_index:
        links.append({"title": series_index.title, "url": series_index.url})
    links.append({"title": "Franchises", "url": "/franchises/"})
    return links


@register.simple_tag(takes_context=True)
def section_of(context, page):
    """The section a story sits in, without a query per story card."""
    return _sections_by_path(context).get(page.path[: -Page.steplen])
