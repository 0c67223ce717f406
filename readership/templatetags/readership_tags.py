from django import template
from django.urls import reverse

from readership import lists
from readership.counter import beacon_token

register = template.Library()


@register.inclusion_tag("readership/beacon.html", takes_context=True)
def read_beacon(context, page):
    """The story's read beacon; none in a preview, which no reader sees."""
    request = context.get("request")
    if request is None or getattr(request, "is_preview", False) or not page.pk:
        return {"url": None}
    return {"url": reverse("readership:story_read", args=[page.pk, beacon_token(page.pk)])}


@register.inclusion_tag("readership/story_ranking.html")
def most_read(section=None):
    return {
        "heading": "Most read" if section is None else f"Most read in {section.title}",
        "id": "most-read",
        "stories": lists.most_read(section),
        "unit": "read",
    }


@register.inclusion_tag("readership/story_ranking.html")
def trending(franchise):
    return {
        "heading": f"Trending in {franchise.name}",
        "id": "trending",
        "stories": lists.trending(franchise),
        "unit": None,
    }
