from urllib.parse import urlencode

from django import template

register = template.Library()


@register.simple_tag
def search_url(search_request, **changes):
    """A link to the current search with some parameters changed; page resets."""
    changes.setdefault("page", None)
    pairs = search_request.params(**{key: value for key, value in changes.items() if key != "page"})
    if changes["page"] and changes["page"] != 1:
        pairs.append(("page", changes["page"]))
    return "?" + urlencode(pairs)
