import math
import re

from django.db import models
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.html import strip_tags

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.images import get_image_model
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from rest_framework import serializers

from caching.page_cache import fragment_cache_enabled
from news.blocks import ArticleBodyBlock, CorrectionBlock, SourceBlock
from news.forms import ArticlePageForm

from .mixins import SocialFields
from .reviews import ReviewVerdict
from .tags import ArticleFranchiseTag
from .visibility import RoutedRestrictionsMixin, visible_to_readers

WORDS_PER_MINUTE = 230
RELATED_STORIES = 4
MORE_IN_SERIES = 3


def tagged_any_q(tag_ids):
    # A subquery rather than a join, so a story with two matching tags
    # appears once without DISTINCT.
    return models.Q(pk__in=ArticleFranchiseTag.objects.filter(tag_id__in=tag_ids).values("content_object_id"))


# Values other apps show on every story card (a comment count, say), each
# computed in the listing's own query: name -> function returning an expression.
CARD_ANNOTATIONS = {}


# The story's own fields a card shows (news/includes/article_card.html).
CARD_FIELDS = (
    "pk",
    "title",
    "standfirst",
    "hero_image_id",
    "hero_alt_text",
    "first_published_at",
    "last_published_at",
    "url_path",
    "series_id",
    "rating",
    "rating_scale",
    "verdict",
)


def register_card_annotation(name, expression):
    CARD_ANNOTATIONS[name] = expression


def franchise_tags_prefetch():
    return Prefetch("franchise_tagged_items", queryset=ArticleFranchiseTag.objects.select_related("tag"))


def card_prefetches():
    """What a story card shows besides the page row: image, byline, tags."""
    return (
        Prefetch("hero_image", queryset=get_image_model().objects.prefetch_renditions()),
        Prefetch("article_authors", queryset=ArticleAuthor.objects.select_related("author")),
        franchise_tags_prefetch(),
    )


def prefetch_cards(*story_lists):
    """Load the card relations of several lists of stories in one query each."""
    stories = [story for stories in story_lists for story in stories]
    prefetch_related_objects(stories, *card_prefetches())


def story_pk(story):
    return story["pk"] if isinstance(story, dict) else story.pk


def load_card_pages(rows, prefetches):
    """The pages behind `rows` (instances pass through), with `prefetches`,
    in one query per relation."""
    wanted = [row["pk"] for row in rows if isinstance(row, dict)]
    # The hero image joined, not prefetched: one query fewer on every listing.
    pages = ArticlePage.objects.cards().select_related("hero_image")
    loaded = {story.pk: story for story in pages.filter(pk__in=wanted)} if wanted else {}
    stories = [loaded.get(row["pk"]) if isinstance(row, dict) else row for row in rows]
    # A story unpublished between the two queries is left out.
    stories = [story for story in stories if story is not None]
    if len(loaded) == len(stories):
        prefetches = [with_joined_hero_image(lookup) for lookup in prefetches]
    prefetch_related_objects(stories, *prefetches)
    return stories


def with_joined_hero_image(lookup):
    """The hero image's prefetch as its renditions' alone, for pages whose
    image is already joined."""
    if isinstance(lookup, Prefetch) and lookup.prefetch_through == "hero_image":
        return "hero_image__renditions"
    return lookup


def cards_ready(request, *story_lists):
    """The lists of a page with several listings, ready for `story_cards`:
    unchanged when cards are kept (each list fetches its own in one
    `get_many`); otherwise loaded together, one query per relation for the
    whole page rather than per list."""
    if fragment_cache_enabled(request):
        return story_lists
    pages = {
        page.pk: page for page in load_card_pages([row for rows in story_lists for row in rows], card_prefetches())
    }
    return tuple([pages[story_pk(row)] for row in rows if story_pk(row) in pages] for rows in story_lists)


class ArticlePageQuerySet(PageQuerySet):
    def cards(self):
        """Live, public stories, newest first; the base of every listing.

        Every listing, feed and sitemap starts here so that none of them can
        leak a draft, a private story or an embargoed one.
        """
        return (
            visible_to_readers(self)
            .select_related("series")
            .defer_streamfields()
            .annotate(**{name: expression() for name, expression in CARD_ANNOTATIONS.items()})
            .order_by("-first_published_at", "-pk")
        )

    def card_rows(self):
        """`cards()` as plain rows of what a card shows from the story's own
        row (`CARD_FIELDS`, and the card annotations), for listings that
        render cached cards (news/cards.py): no page instances, no related rows."""
        return (
            visible_to_readers(self)
            .annotate(**{name: expression() for name, expression in CARD_ANNOTATIONS.items()})
            .order_by("-first_published_at", "-pk")
            .values(*CARD_FIELDS, *CARD_ANNOTATIONS)
        )

    def for_listing(self):
        """`cards()` with everything a card shows, in a fixed number of queries."""
        return self.cards().prefetch_related(*card_prefetches())

    def tagged(self, tag):
        return self.filter(franchise_tagged_items__tag=tag)

    def tagged_any(self, tag_ids):
        return self.filter(tagged_any_q(tag_ids))

    def by_author(self, author):
        return self.filter(article_authors__author=author)


ArticlePageManager = PageManager.from_queryset(ArticlePageQuerySet)


class ArticlePage(RoutedRestrictionsMixin, SocialFields, ReviewVerdict, Page):
    """A story: news, interview, review, feature or opinion."""

    standfirst = models.CharField(
        "standfirst",
        max_length=300,
        blank=True,
        help_text="One or two sentences under the headline that sell the story. Also used on cards and in feeds.",
    )
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The main image at the top of the story and on its cards.",
    )
    hero_alt_text = models.CharField(
        "hero image alt text",
        max_length=250,
        blank=True,
        help_text="Describe the image for readers who cannot see it. Leave empty to use the image's own description.",
    )
    hero_caption = models.CharField(max_length=300, blank=True)
    hero_credit = models.CharField(
        max_length=120, blank=True, help_text="Photographer or rights holder, e.g. 'Courtesy of Streamline'."
    )
    series = models.ForeignKey(
        "news.SeriesHubPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        help_text="The show or film series this story is about, if any.",
    )
    season_number = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The season the story is about, if it is about one."
    )
    franchise_tags = ClusterTaggableManager(
        through=ArticleFranchiseTag,
        blank=True,
        verbose_name="franchise tags",
        help_text="Franchises, universes and platforms, e.g. Marvel, MCU, Netflix. Readers follow these.",
    )
    body = StreamField(ArticleBodyBlock(), help_text="The story itself.")
    sources = StreamField(
        [("source", SourceBlock())], blank=True, help_text="Interviews and reports the story draws on."
    )
    corrections = StreamField(
        [("correction", CorrectionBlock())],
        blank=True,
        help_text="Shown at the foot of the story. Add one whenever a published fact changes.",
    )

    comments_open = models.BooleanField(
        "allow reader comments",
        default=True,
        help_text="Untick to close comments on this story, e.g. for sensitive news.",
    )

    objects = ArticlePageManager()
    # Joined when the story is routed to (see HomePage.route).
    route_select_related = ("hero_image", "series")

    content_panels = Page.content_panels + [
        FieldPanel("standfirst"),
        InlinePanel("article_authors", label="Byline", min_num=1, heading="Byline"),
        MultiFieldPanel(
            [
                FieldPanel("hero_image"),
                FieldPanel("hero_alt_text"),
                FieldPanel("hero_caption"),
                FieldPanel("hero_credit"),
            ],
            heading="Main image",
        ),
        MultiFieldPanel(
            [FieldPanel("series"), FieldPanel("season_number"), FieldPanel("franchise_tags")],
            heading="Series and franchises",
        ),
        *ReviewVerdict.verdict_panels,
        FieldPanel("body"),
        FieldPanel("sources"),
        FieldPanel("corrections"),
    ]
    promote_panels = Page.promote_panels + SocialFields.social_panels

    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading="Content"),
            ObjectList(promote_panels, heading="Promote"),
            ObjectList(
                [FieldPanel("comments_open"), FieldPanel("publish_despite_checklist"), *Page.settings_panels],
                heading="Settings",
            ),
        ]
    )
    base_form_class = ArticlePageForm

    api_fields = [
        APIField("standfirst"),
        APIField("byline", serializer=serializers.ListField(child=serializers.CharField(), source="byline_names")),
        APIField("first_published_at"),
        APIField("series"),
        APIField("season_number"),
        # From the prefetched tags (the API's own TagsField queries per story).
        APIField(
            "franchise_tags",
            serializer=serializers.ListField(child=serializers.CharField(), source="franchise_tag_names"),
        ),
        APIField("verdict", serializer=serializers.JSONField(source="verdict_data", read_only=True)),
        APIField("hero_image"),
        APIField("hero_alt_text"),
        APIField("body"),
        APIField("corrections"),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("standfirst", boost=2),
        index.SearchField("body"),
        index.FilterField("series"),
        index.FilterField("first_published_at"),
        index.FilterField("rating"),
        index.RelatedFields("franchise_tags", [index.SearchField("name", boost=2)]),
        index.RelatedFields("article_authors", [index.RelatedFields("author", [index.SearchField("name")])]),
    ]

    parent_page_types = ["news.SectionPage"]
    subpage_types = []

    class Meta:
        verbose_name = "article"

    @cached_property
    def authors(self):
        return [item.author for item in self.article_authors.all()]

    @property
    def byline_names(self):
        return [author.name for author in self.authors]

    @cached_property
    def franchise_tag_list(self):
        return [item.tag for item in self.franchise_tagged_items.all()]

    @property
    def franchise_tag_names(self):
        return sorted(tag.name for tag in self.franchise_tag_list)

    @property
    def hero_alt(self):
        if self.hero_alt_text:
            return self.hero_alt_text
        return self.hero_image.default_alt_text if self.hero_image else ""

    @property
    def display_date(self):
        return self.first_published_at or self.latest_revision_created_at or timezone.now()

    @property
    def updated_at(self):
        """When readers should be told the story changed after it went out."""
        if (
            self.first_published_at
            and self.last_published_at
            and (self.last_published_at - self.first_published_at).total_seconds() > 15 * 60
        ):
            return self.last_published_at
        return None

    @cached_property
    def word_count(self):
        words = 0
        for block in self.body.raw_data:
            words += len(re.findall(r"\w+", strip_tags(_text_of(block.get("value")))))
        return words

    @property
    def reading_time(self):
        return max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))

    @property
    def summary(self):
        return self.standfirst or self.search_description

    def stories_around(self):
        """Live stories from the same series first, then those sharing a franchise tag."""
        # The tags are read inside the query, not fetched first.
        tag_ids = ArticleFranchiseTag.objects.filter(content_object_id=self.pk).values("tag_id")
        stories = ArticlePage.objects.cards().exclude(pk=self.pk)
        if not self.series_id:
            return list(stories.tagged_any(tag_ids)[:RELATED_STORIES])
        same_series = models.Q(series_id=self.series_id)
        stories = (
            stories.filter(same_series | tagged_any_q(tag_ids))
            .annotate(same_series=models.Case(models.When(same_series, then=1), default=0))
            .order_by("-same_series", "-first_published_at", "-pk")
        )
        return list(stories[: MORE_IN_SERIES + RELATED_STORIES])

    def og_image(self):
        return self.social_image or self.hero_image

    def structured_data(self, request, image_url=None):
        """schema.org NewsArticle, for search engines' news surfaces."""
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": self.title[:110],
            "description": self.summary,
            "datePublished": self.first_published_at,
            "dateModified": self.last_published_at or self.first_published_at,
            "mainEntityOfPage": self.get_full_url(request),
            "author": self.authors_structured_data(request),
            "publisher": {"@type": "Organization", "name": "Talkies"},
            "keywords": [tag.name for tag in self.franchise_tag_list],
        }
        if image_url:
            data["image"] = [request.build_absolute_uri(image_url)]
        return data

    def authors_structured_data(self, request):
        return [
            {"@type": "Person", "name": author.name, "url": request.build_absolute_uri(author.get_absolute_url())}
            for author in self.authors
        ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        around = StoriesAround(self, request)
        if fragment_cache_enabled(request):
            # Read only if the cached fragment of this page has to be rendered.
            context["more_in_series"] = SimpleLazyObject(lambda: around.more_in_series)
            context["related_stories"] = SimpleLazyObject(lambda: around.related_stories)
        else:
            context["more_in_series"] = around.more_in_series
            context["related_stories"] = around.related_stories
        return context


class StoriesAround:
    """The stories an article's page lists beside it, with everything their
    cards show, in a fixed number of queries."""

    def __init__(self, page, request):
        self.page = page
        self.request = request

    @cached_property
    def stories(self):
        stories = self.page.stories_around()
        # One query per relation for this story and every card on it. A
        # preview's byline and tags live in memory and must not be replaced.
        instances = stories if getattr(self.request, "is_preview", False) else [self.page, *stories]
        prefetch_related_objects(instances, *card_prefetches())
        return stories

    @cached_property
    def more_in_series(self):
        series_id = self.page.series_id
        return [story for story in self.stories if series_id and story.series_id == series_id][:MORE_IN_SERIES]

    @cached_property
    def related_stories(self):
        return [story for story in self.stories if story not in self.more_in_series][:RELATED_STORIES]


def _text_of(value):
    if isinstance(value, str):
        return value + " "
    if isinstance(value, dict):
        return "".join(_text_of(v) for k, v in value.items() if k not in {"page", "image", "url", "source_url"})
    if isinstance(value, list):
        return "".join(_text_of(v) for v in value)
    return ""


class ArticleAuthor(Orderable):
    page = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="article_authors")
    author = models.ForeignKey("news.Author", on_delete=models.PROTECT, related_name="article_credits")

    panels = [FieldPanel("author")]

    # No unique constraint on (page, author): the admin saves a byline by
    # deleting and re-adding rows, which a constraint would trip over.
    # ArticlePageForm rejects a name listed twice instead.

    def __str__(self):
        return str(self.author)
