"""The site and its home page, kept between reader requests.

Wagtail looks up the Site for every request, then loads the specific home
page to start routing from: two queries before a story is even found. Both
change only with a publish or a change to a Site, which start a new page-cache
generation (caching/page_cache.py), so reader requests read them from the
cache under that generation, as they do fragments and the navigation.
"""

from django.conf import settings
from django.http.request import split_domain_port

from wagtail.models import Site

from caching.page_cache import is_admin_path, kept_for_generation


def site_with_home_page(request):
    site = Site._find_for_request(request)
    if site is not None:
        # Routing starts from the specific home page: fetch it once, with the site.
        site.root_page = site.root_page.localized.specific
    return site


def cached_site(request):
    hostname = split_domain_port(request._get_raw_host())[0]
    return kept_for_generation(f"reader-site:{hostname}:{request.get_port()}", lambda: site_with_home_page(request))


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
