"""Whole-page cache for anonymous readers, and the purges that keep it true.

A story that spikes is read thousands of times between edits, so reader
pages are rendered once and served from the cache (Redis when CACHE_URL is
set, local memory otherwise) until something changes. Invalidation is by
generation: every publish, unpublish, move or delete, every change to a
franchise, author or site setting, and every approved comment starts a new
generation, so home, section, hub, franchise pages and feeds that list a story
are never staler than the story itself. Old generations expire on their own.

Never cached: anyone with a session (editors, readers who unlocked a private
page), anything but GET/HEAD, the admin, search (its query log must count
every search), the API, health checks, any response that sets a cookie or
embeds a CSRF token, and any response that is not a 200.

An HTTP cache in front (Varnish, caching/varnish.vcl) follows the
same rules; `purge_edge_cache` clears it through wagtail.contrib.frontend_cache.

This app knows Wagtail's pages and sites, not the project's models: an app
whose models show on reader pages connects them with `purge_when_changed`,
and one whose pages are listed elsewhere names those addresses with
`register_edge_urls`.
"""

import re
import urllib.error
import urllib.request
import uuid
from contextvars import ContextVar
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse, QueryDict

from wagtail.contrib.frontend_cache.utils import PurgeBatch, get_backends
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

GENERATION_KEY = "page-cache:generation"
# The shared tokens (the generation, news/cards.py's version) as this request
# first read them: a page is assembled from one generation, for one round
# trip, however many fragments it keeps under it.
REQUEST_TOKENS = ContextVar("talkies_request_tokens", default=None)
HEADER = "X-Page-Cache"
# Query strings a reader page uses; any other makes the request uncacheable,
# so random query strings cannot fill the cache.
CACHEABLE_PARAMS = {"page", "updates"}
# Campaign and click identifiers that social networks, newsletters and ads
# append to links. A story that spikes is mostly reached through such links:
# they are dropped before anything reads the request, so those readers share
# the cached page (the browser keeps the full address for analytics).
# caching/varnish.vcl strips the same names.
TRACKING_PARAM = re.compile(r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|twclid|ref_src|_ga)$")
# Response headers worth keeping with a cached page.
KEPT_HEADERS = ("Content-Type", "Content-Language", "Link", "X-Robots-Tag")


def is_admin_path(path):
    return path.startswith(f"/{settings.WAGTAIL_ADMIN_PATH}/")


def uncached_prefixes():
    return (
        f"/{settings.WAGTAIL_ADMIN_PATH}/",
        "/django-admin/",
        "/search/",
        "/comments/",
        "/follow/",
        "/api/",
        "/healthz",
        "/documents/",
        "/_util/",
        "/__bench__/",
    )


def generation():
    """The current generation, shared by every process: in the cache when it
    is Redis, in a file when the cache is each process's own memory (so that
    a publish in one web process or in the Celery worker reaches the others)."""
    return shared_token(GENERATION_KEY)


def shared_token(key):
    """A random token every process agrees on until `new_shared_token(key)`:
    the page cache's generation, or the version of anything else kept in the
    cache (news/cards.py). Read once per request (`ReaderPageCacheMiddleware`)."""
    memo = REQUEST_TOKENS.get()
    if memo is None:
        return read_shared_token(key)
    if key not in memo:
        memo[key] = read_shared_token(key)
    return memo[key]


def read_shared_token(key):
    path = token_file(key)
    if path:
        try:
            return path.read_text() or new_shared_token(key)
        except FileNotFoundError:
            return new_shared_token(key)
    current = cache.get(key)
    if current is None:
        current = uuid.uuid4().hex
        # add(): if another process started a token first, use theirs.
        if not cache.add(key, current, None):
            current = cache.get(key) or current
    return current


def new_shared_token(key):
    current = uuid.uuid4().hex
    path = token_file(key)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole then renamed, so a reader never sees half a value.
        temporary = path.with_name(f"{path.name}.{current}")
        temporary.write_text(current)
        temporary.replace(path)
    else:
        cache.set(key, current, None)
    memo = REQUEST_TOKENS.get()
    if memo is not None:
        memo[key] = current
    return current


def token_file(key):
    if not settings.PAGE_CACHE_GENERATION_FILE:
        return None
    path = Path(settings.PAGE_CACHE_GENERATION_FILE)
    return path if key == GENERATION_KEY else path.with_name(f"{path.name}-{key.replace(':', '-')}")


def kept_for_generation(name, load, seconds=None):
    """`load()`'s answer, kept in the cache under the current generation, so
    anything that purges the page cache makes it stale too. An answer of None
    is not kept."""
    key = f"{name}:{generation()}"
    value = cache.get(key)
    if value is None:
        value = load()
        if value is not None:
            cache.set(key, value, seconds or settings.FRAGMENT_CACHE_SECONDS)
    return value


def kept_for_readers(request, name, load):
    """`load()`'s answer, kept under the generation for reader requests
    (`fragment_cache_enabled`); previews and the rest load it fresh."""
    if fragment_cache_enabled(request):
        return kept_for_generation(name, load)
    return load()


def fragment_cache_enabled(request):
    """Fragments are kept for reader requests; previews always render fresh."""
    return bool(settings.FRAGMENT_CACHE_SECONDS) and request is not None and not getattr(request, "is_preview", False)


def new_generation():
    return new_shared_token(GENERATION_KEY)


def purge_page_cache(**kwargs):
    """Every cached page is stale from now on. Takes signal arguments so it
    can be connected to signals directly.

    Purged now and again after the transaction commits: a reader page
    rendered between the two, from data not yet committed, would otherwise
    be cached under the new generation."""
    new_generation()
    transaction.on_commit(new_generation, robust=True)


def drop_tracking_params(request):
    if not any(TRACKING_PARAM.match(name) for name in request.GET):
        return
    kept = QueryDict(mutable=True)
    for name, values in request.GET.lists():
        if not TRACKING_PARAM.match(name):
            kept.setlist(name, values)
    request.META["QUERY_STRING"] = kept.urlencode()
    request.GET = QueryDict(request.META["QUERY_STRING"])


def is_cacheable_request(request):
    if not settings.PAGE_CACHE_SECONDS or request.method not in ("GET", "HEAD"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    if request.path.startswith(uncached_prefixes()):
        return False
    return set(request.GET) <= CACHEABLE_PARAMS


def is_cacheable_response(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    # The page embeds a CSRF token tied to this reader's cookie (a form).
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    cache_control = response.get("Cache-Control", "")
    # s-maxage: the response says when it goes stale (a banner at its
    # expiry), which no purge would announce; kept pages wait for a purge.
    return not any(word in cache_control for word in ("private", "no-cache", "no-store", "s-maxage"))


def cache_key(request):
    return f"page-cache:{generation()}:{request.get_host()}:{request.get_full_path()}"


class ReaderPageCacheMiddleware:
    """Placed before sessions and authentication: a hit skips all of it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        memo = REQUEST_TOKENS.set({})
        try:
            return self.serve(request)
        finally:
            REQUEST_TOKENS.reset(memo)

    def serve(self, request):
        drop_tracking_params(request)
        if not is_cacheable_request(request):
            return self.get_response(request)
        key = cache_key(request)
        cached = cache.get(key)
        if cached is not None:
            content, headers = cached
            response = HttpResponse(content, headers=headers)
            response[HEADER] = "hit"
            return response
        response = self.get_response(request)
        if is_cacheable_response(request, response):
            headers = {name: response[name] for name in KEPT_HEADERS if name in response}
            cache.set(key, (response.content, headers), settings.PAGE_CACHE_SECONDS)
            response[HEADER] = "miss"
        return response


# Functions page -> addresses that also show it (a story's series hub, its
# franchise and author pages...), registered by the apps that know them.
EDGE_URL_PROVIDERS = []


def register_edge_urls(provider):
    """`provider(page, root_url)` returns the addresses, besides the page and
    its ancestors, whose HTTP-cache copies must go when the page changes."""
    if provider not in EDGE_URL_PROVIDERS:
        EDGE_URL_PROVIDERS.append(provider)
    return provider


def edge_urls(page):
    """Every address that shows this page: the page, its ancestors' listings
    (home, section), the feeds and sitemaps, and what the apps registered."""
    site = page.get_site()
    if site is None:
        return []
    root = site.root_url
    urls = [root + path for path in ("/", "/feeds/latest.rss", "/feeds/latest.atom", "/news-sitemap.xml")]
    urls += [page.get_full_url()]
    urls += [ancestor.get_full_url() for ancestor in page.get_ancestors().filter(depth__gt=1)]
    for provider in EDGE_URL_PROVIDERS:
        urls += provider(page, root)
    return [url for url in dict.fromkeys(urls) if url]


def purge_edge_cache(instance=None, **kwargs):
    """Purge the HTTP cache's copies of every listing that shows this page,
    after commit. Wagtail's frontend_cache purges the page's own URL."""
    if instance is None or not get_backends():
        return
    urls = edge_urls(instance)

    def purge():
        batch = PurgeBatch()
        batch.add_urls(urls)
        batch.purge()

    transaction.on_commit(purge, robust=True)


def ban_edge_cache():
    """Drop every page the HTTP caches hold (a BAN to each Varnish in
    WAGTAILFRONTENDCACHE, caching/varnish.vcl). Returns the caches that
    answered and those that did not."""
    answered, failed = [], []
    for backend in settings.WAGTAILFRONTENDCACHE.values():
        location = backend.get("LOCATION")
        if not location:
            continue
        try:
            urllib.request.urlopen(urllib.request.Request(location.rstrip("/") + "/", method="BAN"), timeout=5)
            answered.append(location)
        except (urllib.error.URLError, OSError) as error:
            failed.append((location, str(error)))
    return answered, failed


def purge_when_changed(*models):
    """Every save or delete of these models starts a new generation: for
    models an app shows on reader pages (authors, franchises, settings)."""
    for model in models:
        label = model._meta.label_lower
        post_save.connect(purge_page_cache, sender=model, dispatch_uid=f"talkies_page_cache_save_{label}")
        post_delete.connect(purge_page_cache, sender=model, dispatch_uid=f"talkies_page_cache_delete_{label}")


def connect_signals():
    """Purge on every change to Wagtail's pages, sites and view restrictions.
    Connected in the app's ready() so that Celery workers (scheduled
    publishing) purge too."""
    page_published.connect(purge_page_cache, dispatch_uid="talkies_page_cache_publish")
    page_published.connect(purge_edge_cache, dispatch_uid="talkies_edge_cache_publish")
    page_unpublished.connect(purge_edge_cache, dispatch_uid="talkies_edge_cache_unpublish")
    page_unpublished.connect(purge_page_cache, dispatch_uid="talkies_page_cache_unpublish")
    post_page_move.connect(purge_page_cache, dispatch_uid="talkies_page_cache_move")
    post_delete.connect(purge_page_cache, sender=Page, dispatch_uid="talkies_page_cache_delete")
    # Reader requests find their site and home page under the generation.
    purge_when_changed(Site)
    # A page made private must vanish from every cached listing at once.
    purge_when_changed(PageViewRestriction)
