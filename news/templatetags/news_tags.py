import json
from urllib.parse import quote

from django import template
from django.core.serializers.json import DjangoJSONEncoder
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


@register.simple_tag(takes_context=True)
def story_cards(context, stories, lead=False):
    """The cards of a listing (or of one story), each rendered once per
    version of what it shows (news/cards.py)."""
    if isinstance(stories, (Page, dict)):
        stories = [stories]
    return render_cards(context.get("request"), stories, lead=lead)
