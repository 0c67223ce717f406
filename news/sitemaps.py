"""The sitemap: an index (/sitemap.xml) of one file per kind of page.

- `pages`: the home page, sections, series hubs and other Wagtail pages,
  through Wagtail's own sitemap (each page's `get_sitemap_urls`);
- `stories`: every live, public story, oldest first, `STORIES_PER_FILE` to a
  file (`/sitemap-stories.xml?p=2`), so a file's stories stay put as new ones
  are published and only the last file grows;
- `franchises` and `authors`: the topic pages with at least one live, public story.

A file of stories is one query for plain rows (no page instances). Every
count, latest change, file and row list is kept for reader requests under
the page cache's generation, like a listing's page: a publish, unpublish,
move or restriction starts a new one, so nothing stale is listed. Story
addresses are built from the site's root, as Wagtail builds them.
"""

from datetime import UTC, timedelta
from functools import cached_property

from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import HttpResponse
from django.urls import reverse
from django.utils.html import escape

from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap

from caching.page_cache import kept_for_readers
from news.models import ArticlePage, Author, FranchiseTag

# Google reads up to 50,000 addresses a file; smaller files keep one request
# cheap (bench: the stories file's CPU per request, x the trivial view's).
STORIES_PER_FILE = 1000
# Google News reads at most 1,000 stories from the last two days.
NEWS_SITEMAP_HOURS = 48
NEWS_SITEMAP_LIMIT = 1000


def w3c_time(moment):
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def urlset(entries, namespaces=""):
    """A sitemap file around `entries`. Written here rather than by a
    template: a file of 1,000 stories took 140 CPU ms through Django's
    sitemap template, under 10 ms written (bench: sitemap_stories)."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{namespaces}>\n{entries}</urlset>\n'
    )
    return HttpResponse(body, content_type="application/xml; charset=utf-8")


class KeptPaginator(Paginator):
    """Django's paginator over `items()`, called only when needed (building
    the query costs more than reading a kept answer), its count kept by `keep`."""

    def __init__(self, items, per_page, keep):
        super().__init__((), per_page)
        self.items = items
        self.keep = keep

    @cached_property
    def count(self):
        return self.keep("count", lambda: self.items().count())

    def page(self, number):
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        return self._get_page(self.items()[start : start + self.per_page], number, self)


class KeptSitemap(WagtailSitemap):
    """A sitemap of the request's Wagtail site whose counts, latest change
    and addresses are kept for reader requests under the page cache's
    generation: the index and each file cost a few cache reads between
    publishes, and the first request after one reads them again."""

    name = None

    @cached_property
    def site(self):
        return self.get_wagtail_site()

    def keep(self, what, load):
        return kept_for_readers(self.request, f"sitemap:{self.name}:{self.site.pk}:{what}", load)

    @property
    def paginator(self):
        return KeptPaginator(self.items, self.limit, self.keep)

    def get_latest_lastmod(self):
        return self.keep("latest", super().get_latest_lastmod)

    def get_urls(self, page=1, site=None, protocol=None):
        def load():
            urls = super(KeptSitemap, self).get_urls(page, site, protocol)
            return [{key: value for key, value in url.items() if key != "item"} for url in urls]

        return self.keep(f"urls:{page}:{protocol}:{getattr(site, 'domain', '')}", load)


class PageSitemap(KeptSitemap):
    """Every live, public page but the stories, which have files of their own."""

    name = "pages"

    def items(self):
        return super().items().not_type(ArticlePage)


class TopicSitemap(KeptSitemap):
    """Franchise and author pages: plain Django views, addressed by `get_absolute_url`."""

    _urls = DjangoSitemap._urls
    location = DjangoSitemap.location
    lastmod = None


class StorySitemap(KeptSitemap):
    """Stories as plain rows rather than Wagtail's page-by-page
    `get_sitemap_urls`, which loads every story as a page; its files are
    written by `news.views.stories_sitemap`."""

    name = "stories"
    limit = STORIES_PER_FILE

    @cached_property
    def root_path(self):
        return self.site.root_page.url_path

    @cached_property
    def serve_prefix(self):
        return reverse("wagtail_serve", args=("",))

    def items(self):
        return (
            ArticlePage.objects.card_rows()
            .filter(url_path__startswith=self.root_path)
            .order_by("first_published_at", "pk")
            .values("url_path", "last_published_at")
        )

    def file(self, number):
        """File `number`'s `<url>` entries, written, and its latest change;
        InvalidPage for a file that does not exist."""
        page = self.paginator.page(number)

        def write():
            rows = list(page.object_list)
            entries = "".join(
                f"<url><loc>{escape(self.address(row))}</loc>"
                f"<lastmod>{w3c_time(row['last_published_at'])}</lastmod></url>\n"
                for row in rows
            )
            return entries, max((row["last_published_at"] for row in rows), default=None)

        return self.keep(f"file:{page.number}", write)

    def news_file(self, now):
        """The news sitemap's `<url>` entries: stories first published in the
        last `NEWS_SITEMAP_HOURS`, newest first. The rows are kept per hour
        and those a few minutes too old are dropped here."""
        since = now - timedelta(hours=NEWS_SITEMAP_HOURS)
        hour = since.replace(minute=0, second=0, microsecond=0)
        rows = self.keep(
            f"since:{hour:%Y%m%d%H}",
            lambda: list(
                ArticlePage.objects.card_rows()
                .filter(url_path__startswith=self.root_path, first_published_at__gte=hour)
                .values("url_path", "title", "first_published_at")[:NEWS_SITEMAP_LIMIT]
            ),
        )
        return "".join(
            f"<url><loc>{escape(self.address(row))}</loc><news:news>"
            "<news:publication><news:name>Talkies</news:name><news:language>en</news:language></news:publication>"
            f"<news:publication_date>{w3c_time(row['first_published_at'])}</news:publication_date>"
            f"<news:title>{escape(row['title'])}</news:title></news:news></url>\n"
            for row in rows
            if row["first_published_at"] >= since
        )

    def get_latest_lastmod(self):
        return self.keep("latest", lambda: self.items().aggregate(latest=Max("last_published_at"))["latest"])

    def address(self, row):
        # Canonical addresses: the Wagtail site's scheme and hostname, not the request's.
        return self.site.root_url + self.serve_prefix + row["url_path"][len(self.root_path) :]


class FranchiseSitemap(TopicSitemap):
    name = "franchises"
    changefreq = "daily"

    def items(self):
        return FranchiseTag.objects.with_story_counts().order_by("slug")


class AuthorSitemap(TopicSitemap):
    name = "authors"
    changefreq = "weekly"

    def items(self):
        return Author.objects.with_public_stories().order_by("slug")


SITEMAPS = {"pages": PageSitemap, "stories": StorySitemap, "franchises": FranchiseSitemap, "authors": AuthorSitemap}
