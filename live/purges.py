"""What the caches drop when live coverage changes: the story, its updates
fragment and feed, and the listings that show it (home, its section, its
series hub, franchise and author pages: caching.page_cache.edge_urls)."""

from django.db import transaction
from django.urls import reverse

from wagtail.contrib.frontend_cache.utils import PurgeBatch, get_backends
from wagtail.models import Site

from caching.page_cache import purge_edge_cache, purge_page_cache
from live.banner import forget_banner
from live.models import LiveCoverage, LiveUpdate
from news.models import ArticlePage


def live_edge_urls(page, root_url):
    """A live story's updates are also served by the fragment readers'
    browsers poll and by the story's feed of updates."""
    if not LiveCoverage.objects.filter(page_id=page.pk).exists():
        return []
    return [
        root_url + reverse("live:updates_fragment", args=[page.pk]),
        root_url + reverse("live:updates_feed", args=[page.pk]),
    ]


def purge_live_story(sender, instance, action=None, **kwargs):
    if action is not None and not action.startswith("post_"):
        return  # a byline change sends pre_ and post_ signals: purge once, after it
    purge_page_cache()
    page_id = instance.coverage_id if isinstance(instance, LiveUpdate) else instance.page_id
    # Gone when the coverage goes with its story; the story's own deletion purges then.
    page = ArticlePage.objects.filter(pk=page_id).first()
    if page is not None:
        purge_edge_cache(instance=page)


def purge_banner(**kwargs):
    """A banner set, changed or taken down: every page shows it on its next
    request, through Varnish (the fragment its ESI include fetches) or not."""
    forget_banner()
    transaction.on_commit(forget_banner, robust=True)
    if not get_backends():
        return
    urls = [site.root_url + reverse("live:breaking_news") for site in Site.objects.all()]

    def purge():
        batch = PurgeBatch()
        batch.add_urls(urls)
        batch.purge()

    transaction.on_commit(purge, robust=True)
