"""RSS and Atom feeds: site-wide and per section, series, franchise and author.

Every feed lists through `ArticlePage.objects.card_rows()`, so drafts,
private and embargoed stories never reach a feed reader. For reader requests
a feed's rows are kept under the page cache's generation and each item's
values per story version (`news.cards.story_summaries`), like a listing's
cards: a publish re-reads the rows and builds one item. The whole answer
is kept too, per feed address, under the generation and the card version
(an author, franchise or image edit): writing thirty items as XML cost
more than the rest (bench: a scoped feed at 11 to 13 times the trivial
view's CPU, kept rows and items and all).
"""

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from caching.page_cache import fragment_cache_enabled, kept_for_generation, kept_for_readers
from news.cards import card_version, story_summaries
from news.models import ArticlePage, Author, FranchiseTag, SectionPage, SeriesHubPage
from news.models.visibility import visible_to_readers

FEED_LENGTH = 30


@dataclass
class FeedScope:
    """What a feed covers (a section, series hub, franchise or author; None
    for the whole site) and the request it answers."""

    of: object
    request: HttpRequest
    name: str


class ArticleFeed(Feed):
    """Latest stories from the whole site."""

    def __init__(self, feed_type=Rss201rev2Feed):
        super().__init__()
        self.feed_type = feed_type

    def __call__(self, request, *args, **kwargs):
        if not fragment_cache_enabled(request):
            return super().__call__(request, *args, **kwargs)

        def answer():
            response = super(ArticleFeed, self).__call__(request, *args, **kwargs)
            return response.content, dict(response.headers)

        # The path, not the query string: a feed reads none, and random ones must not fill the cache.
        content, headers = kept_for_generation(f"feed:{card_version()}:{request.get_host()}{request.path}", answer)
        return HttpResponse(content, headers=headers)

    def get_object(self, request, slug=None):
        name = f"{type(self).__name__}:{slug}"
        found = kept_for_readers(request, f"feed-scope:{name}", lambda: self.find(slug))
        if slug is not None and found is None:
            raise Http404("No such feed")
        return FeedScope(found, request, name)

    def find(self, slug):
        return None

    def title(self, scope):
        return "Talkies: latest stories"

    def link(self, scope):
        return "/"

    def description(self, scope):
        return "The latest TV, film and streaming news from Talkies."

    def subtitle(self, scope):
        return self.description(scope)

    def stories(self, of):
        return ArticlePage.objects.card_rows()

    def items(self, scope):
        rows = kept_for_readers(
            scope.request, f"feed-rows:{scope.name}", lambda: list(self.stories(scope.of)[:FEED_LENGTH])
        )
        summaries = story_summaries(scope.request, rows)
        return [summaries[row["pk"]] for row in rows if row["pk"] in summaries]

    def item_title(self, item):
        return item["title"]

    def item_description(self, item):
        return item["summary"]

    def item_link(self, item):
        return item["url"]

    def item_guid(self, item):
        return f"talkies-article-{item['pk']}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item["first_published_at"]

    def item_updateddate(self, item):
        return item["last_published_at"]

    def item_author_name(self, item):
        return ", ".join(item["authors"]) or None

    def item_categories(self, item):
        return item["tags"]


class SectionFeed(ArticleFeed):
    def find(self, slug):
        return visible_to_readers(SectionPage.objects.filter(slug=slug)).first()

    def title(self, scope):
        return f"Talkies: {scope.of.title}"

    def link(self, scope):
        return scope.of.url

    def stories(self, of):
        return ArticlePage.objects.card_rows().child_of(of)


class SeriesFeed(ArticleFeed):
    def find(self, slug):
        return visible_to_readers(SeriesHubPage.objects.filter(slug=slug)).first()

    def title(self, scope):
        return f"Talkies: {scope.of.title}"

    def link(self, scope):
        return scope.of.url

    def description(self, scope):
        return f"The latest Talkies stories about {scope.of.title}."

    def stories(self, of):
        return ArticlePage.objects.card_rows().filter(series=of)


class FranchiseFeed(ArticleFeed):
    def find(self, slug):
        return FranchiseTag.objects.filter(slug=slug).first()

    def title(self, scope):
        return f"Talkies: {scope.of.name}"

    def link(self, scope):
        return scope.of.get_absolute_url()

    def description(self, scope):
        return f"The latest Talkies stories about {scope.of.name}."

    def stories(self, of):
        return ArticlePage.objects.card_rows().tagged(of)


class AuthorFeed(ArticleFeed):
    def find(self, slug):
        return Author.objects.with_public_stories().filter(slug=slug).first()

    def title(self, scope):
        return f"Talkies: stories by {scope.of.name}"

    def link(self, scope):
        return scope.of.get_absolute_url()

    def description(self, scope):
        return f"The latest Talkies stories by {scope.of.name}."

    def stories(self, of):
        return ArticlePage.objects.card_rows().by_author(of)


FEEDS = {
    "latest": ArticleFeed,
    "section": SectionFeed,
    "series": SeriesFeed,
    "franchise": FranchiseFeed,
    "author": AuthorFeed,
}
FORMATS = {"rss": Rss201rev2Feed, "atom": Atom1Feed}
