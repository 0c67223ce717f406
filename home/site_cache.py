"""The site and its home page, kept between reader requests.

Wagtail looks up the Site for every request, then loads the specific home
page to start routing from: two queries before a story is even found. Both
change only with a publish or a change to a Site, which start a new page-cache
generation (config/page_cache.py), so reader requests read them from the
cache under that generation, as they do fragments and the navigation.
"""

from django.conf import settings
from django.core.cache import cache
from django.http.request import split_domain_port

from wagtail.models import Site

from config.page_cache import generation, is_admin_path

NO_SITE = "none"


def cached_site(request):
    hostname = split_domain_port(request._get_raw_host())[0]
    key = f"reader-site:{generation()}:{hostname}:{request.get_port()}"
    site = cache.get(key)
    if site is None:
        site = Site._find_for_request(request)
        if site is not None:
            # Routing starts from the specific home page: fetch it once, with the site.
            site.root_page = site.root_page.localized.specific
        cache.set(key, site or NO_SITE, settings.FRAGMENT_CACHE_SECONDS)
    return None if site == NO_SITE else site


class ReaderSiteMiddleware:
    """Hands Wagtail the cached site for reader requests; the admin and
    previews look it up fresh."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.FRAGMENT_CACHE_SECONDS and not is_admin_path(request.path):
            # Wagtail's Site.find_for_request() returns what it finds here.
            request._wagtail_site = cached_site(request)
        return self.get_response(request)
