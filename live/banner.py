"""The breaking-news banner above every reader page, without purging them.

Pages carry a marker where the banner goes (`{% breaking_news %}` in
site/templates/base.html), cached pages included. On the way out,
`BreakingNewsMiddleware` fills it in: through Varnish (which says so with
`Surrogate-Capability: ESI/1.0`, caching/varnish.vcl) with an ESI include of
`/live/breaking-news/`, a fragment Varnish keeps until the banner changes
or expires; without Varnish, with the banner itself, kept in the cache.
A banner set in the admin therefore shows on the next request to any page,
and comes down at its expiry, while every page stays cached.
"""

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone

from caching.page_cache import is_admin_path
from live.models import BreakingNewsBanner

MARKER = "<!--talkies:breaking-news-->"
ESI_INCLUDE = '<esi:include src="/live/breaking-news/"/>'
CACHE_KEY = "breaking-news:banner"
# How long a shown banner is trusted without looking again, at most; a
# change in the admin drops it at once (`forget_banner`).
KEPT_SECONDS = 60


def render_banner(banner):
    return render_to_string("live/breaking_news.html", {"banner": banner}) if banner else ""


def current_banner():
    """(html, seconds it stays right): the banner up now, kept until the
    next change, its expiry, or the start of one scheduled after it."""
    kept = cache.get(CACHE_KEY)
    now = timezone.now()
    if kept is not None and kept[1] > now:
        return kept[0], (kept[1] - now).total_seconds()
    banner = BreakingNewsBanner.objects.showing(now).select_related("link").first()
    ends = [now + timezone.timedelta(seconds=KEPT_SECONDS)]
    if banner:
        ends.append(banner.expires_at)
    upcoming = BreakingNewsBanner.objects.filter(starts_at__gt=now).order_by("starts_at").first()
    if upcoming:
        ends.append(upcoming.starts_at)
    valid_until = min(ends)
    html = render_banner(banner)
    cache.set(CACHE_KEY, (html, valid_until), KEPT_SECONDS)
    return html, max(0.0, (valid_until - now).total_seconds())


def forget_banner(**kwargs):
    cache.delete(CACHE_KEY)


def through_varnish(request):
    return "ESI/1.0" in request.headers.get("Surrogate-Capability", "")


class BreakingNewsMiddleware:
    """Fills the marker in every reader page, cached or not; placed before
    the page cache (caching.page_cache.ReaderPageCacheMiddleware)."""

    marker = MARKER.encode()

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            return response
        if is_admin_path(request.path) or self.marker not in response.content:
            return response
        if through_varnish(request) and settings.WAGTAILFRONTENDCACHE:
            banner = ESI_INCLUDE
            response["Surrogate-Control"] = 'content="ESI/1.0"'
        else:
            banner, _ = current_banner()
        response.content = response.content.replace(self.marker, banner.encode(), 1)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
