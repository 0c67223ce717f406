"""RSS and Atom feeds: site-wide and per section, series, franchise and author.

Every feed lists through `ArticlePage.objects.for_listing()`, so drafts,
private and embargoed stories never reach a feed reader.
"""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from news.models import ArticlePage, Author, FranchiseTag, SectionPage, SeriesHubPage
from news.models.visibility import visible_to_readers

FEED_LENGTH = 30


class ArticleFeed(Feed):
    """Latest stories from the whole site."""

    def __init__(self, feed_type=Rss201rev2Feed):
        super().__init__()
        self.feed_type = feed_type

    def get_object(self, request, *args, **kwargs):
        return None

    def title(self, obj):
        return "Talkies: latest stories"

    def link(self, obj):
        return "/"

    def description(self, obj):
        return "The latest TV, film and streaming news from Talkies."

    def subtitle(self, obj):
        return self.description(obj)

    def stories(self, obj):
        return ArticlePage.objects.for_listing()

    def items(self, obj):
        return self.stories(obj)[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.url

    def item_guid(self, item):
        return f"talkies-article-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_author_name(self, item):
        return ", ".join(author.name for author in item.authors) or None

    def item_categories(self, item):
        return [tag.name for tag in item.franchise_tag_list]


class SectionFeed(ArticleFeed):
    def get_object(self, request, slug):
        section = visible_to_readers(SectionPage.objects.filter(slug=slug)).first()
        if section is None:
            raise Http404("No such section")
        return section

    def title(self, obj):
        return f"Talkies: {obj.title}"

    def link(self, obj):
        return obj.url

    def stories(self, obj):
        return ArticlePage.objects.for_listing().child_of(obj)


class SeriesFeed(ArticleFeed):
    def get_object(self, request, slug):
        series = visible_to_readers(SeriesHubPage.objects.filter(slug=slug)).first()
        if series is None:
            raise Http404("No such series")
        return series

    def title(self, obj):
        return f"Talkies: {obj.title}"

    def link(self, obj):
        return obj.url

    def description(self, obj):
        return f"The latest Talkies stories about {obj.title}."

    def stories(self, obj):
        return ArticlePage.objects.for_listing().filter(series=obj)


class FranchiseFeed(ArticleFeed):
    def get_object(self, request, slug):
        return get_object_or_404(FranchiseTag, slug=slug)

    def title(self, obj):
        return f"Talkies: {obj.name}"

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return f"The latest Talkies stories about {obj.name}."

    def stories(self, obj):
        return ArticlePage.objects.for_listing().tagged(obj)


class AuthorFeed(ArticleFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def title(self, obj):
        return f"Talkies: stories by {obj.name}"

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return f"The latest Talkies stories by {obj.name}."

    def stories(self, obj):
        return ArticlePage.objects.for_listing().by_author(obj)


FEEDS = {
    "latest": ArticleFeed,
    "section": SectionFeed,
    "series": SeriesFeed,
    "franchise": FranchiseFeed,
    "author": AuthorFeed,
}
FORMATS = {"rss": Rss201rev2Feed, "atom": Atom1Feed}
