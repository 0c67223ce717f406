"""What readers' browsers fetch of a live story: its newest updates as an
HTML fragment (polled by site/static/js/live.js) and its feed of updates.

Both answer 404 unless the story is live and public, and both are cached
like any reader page (the page cache, then Varnish), purged when an update
is posted, edited or removed (live.purges)."""

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.feedgenerator import Atom1Feed

from live.banner import current_banner
from live.models import UPDATES_PER_PAGE, LiveCoverage

FEED_LENGTH = 50
# A browser asks again after this long at the most; the edge keeps the
# fragment until an update purges it.
FRAGMENT_BROWSER_SECONDS = 5


def visible_coverage(page_id):
    coverage = LiveCoverage.objects.visible_to_readers().select_related("page").filter(page_id=page_id).first()
    if coverage is None:
        raise Http404("No live story here")
    return coverage


def updates_fragment(request, page_id):
    coverage = visible_coverage(page_id)
    updates = list(coverage.updates.shown()[:UPDATES_PER_PAGE])
    response = render(request, "live/updates_fragment.html", {"coverage": coverage, "updates": updates})
    patch_cache_control(response, public=True, max_age=FRAGMENT_BROWSER_SECONDS)
    return response


class LiveUpdatesFeed(Feed):
    """An Atom feed of a live story's updates, newest first."""

    feed_type = Atom1Feed

    def get_object(self, request, page_id):
        return visible_coverage(page_id)

    def title(self, coverage):
        return f"Talkies live: {coverage.page.title}"

    def link(self, coverage):
        return coverage.page.url

    def subtitle(self, coverage):
        return coverage.page.standfirst

    def items(self, coverage):
        updates = list(coverage.updates.shown()[:FEED_LENGTH])
        for update in updates:
            update.coverage = coverage  # links to the story without a query each
        return updates

    def item_title(self, update):
        return update.headline or update.posted_at.strftime("%H:%M")

    def item_description(self, update):
        return str(update.body)

    def item_link(self, update):
        return f"{update.coverage.page.url}#{update.anchor}"

    def item_guid(self, update):
        return f"talkies-live-update-{update.pk}"

    def item_pubdate(self, update):
        return update.posted_at

    def item_updateddate(self, update):
        return update.edited_at or update.posted_at

    def item_author_name(self, update):
        return ", ".join(author.name for author in update.authors.all())


def breaking_news(request):
    """The banner alone, for Varnish's ESI include: kept by Varnish until
    it changes (purged) or until the banner's expiry, whichever is first."""
    html, seconds = current_banner()
    response = HttpResponse(html)
    patch_cache_control(response, public=True, max_age=0, s_maxage=max(1, int(seconds)))
    return response
