from django.contrib.sitemaps import Sitemap as DjangoSitemap

from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap

from news.models import Author, FranchiseTag


class FranchiseSitemap(DjangoSitemap):
    changefreq = "daily"

    def items(self):
        return FranchiseTag.objects.with_story_counts().order_by("slug")


class AuthorSitemap(DjangoSitemap):
    changefreq = "weekly"

    def items(self):
        return Author.objects.filter(article_credits__isnull=False).distinct().order_by("slug")


SITEMAPS = {"pages": WagtailSitemap, "franchises": FranchiseSitemap, "authors": AuthorSitemap}
