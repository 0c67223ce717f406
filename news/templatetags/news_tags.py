import json
from urllib.parse import quote

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.http import QueryDict
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe

from wagtail.models import Page

from news.cards import render_cards

register = template.Library()


@register.filter
def jsonld(value):
    """Serialise structured data for a <script type="application/ld+json">.

    Escapes <, > and & so a headline can never close the script element.
    """
    return mark_safe(json.dumps(value, cls=DjangoJSONEncoder).translate(_json_script_escapes))


@register.simple_tag
def share_links(url, title):
    encoded_url, encoded_title = quote(url, safe=""), quote(title, safe="")
    return [
        ("X", f"https://x.com/intent/post?url={encoded_url}&text={encoded_title}"),
        ("Facebook", f"https://www.facebook.com/sharer/sharer.php?u={encoded_url}"),
        ("Bluesky", f"https://bsky.app/intent/compose?text={encoded_title}%20{encoded_url}"),
        ("Email", f"mailto:?subject={encoded_title}&body={encoded_url}"),
    ]


@register.simple_tag(takes_context=True)
def news_article_jsonld(context, page, image_rendition=None):
    image_url = image_rendition.url if image_rendition else None
    return jsonld(page.structured_data(context["request"], image_url=image_url))


# Query parameters a listing's page links carry on: the reviews desk's filters.
LISTING_FILTERS = ("rating", "franchise")


@register.simple_tag(takes_context=True)
def page_query(context, number):
    """The query string of another page of the listing, with its filters."""
    request = context.get("request")
    query = QueryDict(mutable=True)
    for name in LISTING_FILTERS:
        if request is not None and request.GET.get(name):
            query[name] = request.GET[name]
    query["page"] = number
    return f"?{query.urlencode()}"


@register.inclusion_tag("news/includes/rating.html")
def rating_stars(story, compact=False, verdict=False):
    """A review's rating as stars out of five, which screen readers hear as
    '4 out of 5' (or '8 out of 10' on a ten-point desk)."""
    return {
        "tenths": int(story.stars * 10),
        "text": story.rating_text,
        "compact": compact,
        # Five-star ratings read at a glance; a ten-point score is also written out.
        "stars_only": compact and story.rating_scale == 5,
        "verdict": story.verdict if verdict else "",
    }


@register.inclusion_tag("news/includes/rating.html")
def average_stars(stars, count, of="review"):
    """An average of `count` reviews (or seasons), in stars out of five."""
    text = f"{stars:g} out of 5, average of {count} {of}{'s' if count != 1 else ''}"
    return {"tenths": int(stars * 10), "text": text, "compact": True}


@register.simple_tag(takes_context=True)
def review_jsonld(context, page):
    data = page.review_structured_data(context["request"])
    return jsonld(data) if data else ""


@register.simple_tag(takes_context=True)
def story_cards(context, stories, lead=False):
    """The cards of a listing (or of one story), each rendered once per
    version of what it shows (news/cards.py)."""
    if isinstance(stories, (Page, dict)):
        stories = [stories]
    return render_cards(context.get("request"), stories, lead=lead)
