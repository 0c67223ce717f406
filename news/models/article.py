import math
import re

from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import strip_tags

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.fields import StreamField
from wagtail.images import get_image_model
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from news.blocks import ArticleBodyBlock

from .mixins import SocialFields
from .tags import ArticleFranchiseTag

WORDS_PER_MINUTE = 230
RELATED_STORIES = 4


class ArticlePageQuerySet(PageQuerySet):
    def for_listing(self):
        """Live, public stories, newest first, with everything a story card shows.

        Every listing, feed and sitemap starts here so that none of them can
        leak a draft, a private story or an embargoed one, and none of them
        runs a query per card.
        """
        return (
            self.live()
            .public()
            .select_related("series")
            .prefetch_related(
                Prefetch("hero_image", queryset=get_image_model().objects.prefetch_renditions()),
                Prefetch("article_authors", queryset=ArticleAuthor.objects.select_related("author")),
                Prefetch("franchise_tagged_items", queryset=ArticleFranchiseTag.objects.select_related("tag")),
            )
            .defer_streamfields()
            .order_by("-first_published_at", "-pk")
        )

    def first_distinct(self, limit):
        """The first `limit` stories of a query whose joins may repeat a story.

        Ids first, then the cards: DISTINCT over whole rows with prefetches is
        slower and its order is not stable across databases.
        """
        ids = list(dict.fromkeys(self.values_list("pk", flat=True)[: limit * 4]))[:limit]
        by_id = {story.pk: story for story in self.model.objects.for_listing().filter(pk__in=ids)}
        return [by_id[pk] for pk in ids if pk in by_id]

    def tagged(self, tag):
        return self.filter(franchise_tagged_items__tag=tag)

    def by_author(self, author):
        return self.filter(article_authors__author=author)


ArticlePageManager = PageManager.from_queryset(ArticlePageQuerySet)


class ArticlePage(SocialFields, Page):
    """A story: news, interview, review, feature or opinion."""

    dek = models.CharField(
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

    objects = ArticlePageManager()

    content_panels = Page.content_panels + [
        FieldPanel("dek"),
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
        FieldPanel("body"),
        InlinePanel("sources", label="Source", heading="Sources"),
        InlinePanel("corrections", label="Correction or update", heading="Corrections and updates"),
    ]
    promote_panels = Page.promote_panels + SocialFields.social_panels

    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading="Content"),
            ObjectList(promote_panels, heading="Promote"),
            ObjectList(Page.settings_panels, heading="Settings"),
        ]
    )

    search_fields = Page.search_fields + [
        index.SearchField("dek", boost=2),
        index.SearchField("body"),
        index.FilterField("series"),
        index.FilterField("first_published_at"),
        index.RelatedFields("franchise_tags", [index.SearchField("name", boost=2)]),
        index.RelatedFields("article_authors", [index.RelatedFields("author", [index.SearchField("name")])]),
    ]

    parent_page_types = ["news.SectionPage"]
    subpage_types = []

    class Meta:
        verbose_name = "article"

    @property
    def section(self):
        return self.get_parent().specific

    @cached_property
    def authors(self):
        return [item.author for item in self.article_authors.all()]

    @cached_property
    def franchise_tag_list(self):
        return [item.tag for item in self.franchise_tagged_items.all()]

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
        return self.dek or self.search_description

    def related_stories(self):
        """Other stories from the same series, or sharing a franchise tag."""
        tag_ids = [tag.pk for tag in self.franchise_tag_list]
        query = models.Q(franchise_tagged_items__tag__in=tag_ids)
        if self.series_id:
            query |= models.Q(series_id=self.series_id)
        return ArticlePage.objects.for_listing().filter(query).exclude(pk=self.pk).first_distinct(RELATED_STORIES)

    def more_in_series(self, limit=3):
        if not self.series_id:
            return []
        return list(ArticlePage.objects.for_listing().filter(series_id=self.series_id).exclude(pk=self.pk)[:limit])

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
            "author": [
                {"@type": "Person", "name": author.name, "url": request.build_absolute_uri(author.get_absolute_url())}
                for author in self.authors
            ],
            "publisher": {"@type": "Organization", "name": "Talkies"},
            "keywords": [tag.name for tag in self.franchise_tag_list],
        }
        if image_url:
            data["image"] = [request.build_absolute_uri(image_url)]
        return data

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["related_stories"] = self.related_stories()
        context["more_in_series"] = self.more_in_series()
        return context


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

    class Meta(Orderable.Meta):
        unique_together = [("page", "author")]

    def __str__(self):
        return str(self.author)


class ArticleSource(Orderable):
    """Where reporting came from, e.g. an interview given to another outlet."""

    page = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="sources")
    description = models.CharField(
        max_length=200, help_text="e.g. 'Interview with Screen Weekly' or 'Press release from Streamline'."
    )
    url = models.URLField(blank=True, help_text="Link to the original, if public.")

    panels = [FieldPanel("description"), FieldPanel("url")]


class ArticleCorrection(Orderable):
    """A timestamped note shown to readers when a story is corrected or updated."""

    KIND_CHOICES = [("correction", "Correction"), ("update", "Update")]

    page = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=20, choices=KIND_CHOICES, default="update")
    noted_at = models.DateTimeField(default=timezone.now, help_text="When the change was made.")
    note = models.TextField(help_text="What changed, in a sentence readers will understand.")

    panels = [FieldPanel("kind"), FieldPanel("noted_at"), FieldPanel("note")]

    class Meta(Orderable.Meta):
        verbose_name = "correction or update"
