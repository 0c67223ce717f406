"""`{% readerfragment name vary... %}`: cache a piece of a reader page.

Rendering a story's body, byline and related stories is most of the cost of
its page. Those fragments are cached under the page cache's generation
(caching/page_cache.py), so every publish, unpublish, move or edit to a
franchise or author invalidates them at once, like whole pages. Previews
are always rendered fresh.
"""

import hashlib

from django import template

from caching.page_cache import fragment_cache_enabled, kept_for_generation

register = template.Library()


class ReaderFragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        if not fragment_cache_enabled(context.get("request")):
            return self.nodelist.render(context)
        parts = [str(self.name.resolve(context))] + [str(value.resolve(context)) for value in self.vary_on]
        name = f"fragment:{hashlib.sha256(':'.join(parts).encode()).hexdigest()}"
        return kept_for_generation(name, lambda: self.nodelist.render(context))


@register.tag
def readerfragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("readerfragment needs a name")
    nodelist = parser.parse(("endreaderfragment",))
    parser.delete_first_token()
    return ReaderFragmentNode(
        nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]]
    )
