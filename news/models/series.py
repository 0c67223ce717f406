from django.db import models
from django.db.models import Max, Q

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from caching.page_cache import kept_for_readers
from news.pagination import paginate

from .article import CARD_ANNOTATIONS, CARD_FIELDS, ArticlePage, cards_ready
from .mixins import SocialFields
from .reviews import ratings_by_season, round_to_half
from .tags import SeriesFranchiseTag
from .visibility import RoutedRestrictionsMixin, visible_to_readers

FRANCHISE_STORIES = 6
HUB_REVIEWS = 6


class SeriesIndexPage(RoutedRestrictionsMixin, Page):
    """/series/: every show and film series the newsroom covers."""

    intro = models.CharField(max_length=250, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["news.SeriesHubPage"]
    max_count = 1

    class Meta:
        verbose_name = "series index"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        hubs = SeriesHubPage.objects.child_of(self).for_listing().order_by("title")
        context["hubs"] = paginate(request, hubs, per_page=24)
        return context


class SeriesHubPageQuerySet(PageQuerySet):
    def for_listing(self):
        return visible_to_readers(self).select_related("key_art")

    def in_the_news(self):
        """Hubs ordered by their most recent live story."""
        public_stories = visible_to_readers(ArticlePage.objects.all()).values("pk")
        return (
            self.for_listing()
            .annotate(latest_story_at=Max("articles__first_published_at", filter=Q(articles__in=public_stories)))
            .filter(latest_story_at__isnull=False)
            .order_by("-latest_story_at")
        )


class SeriesHubPage(RoutedRestrictionsMixin, SocialFields, Page):
    """One page per show or film series, with its seasons and its coverage."""

    STATUS_CHOICES = [
        ("announced", "Announced"),
        ("in_production", "In production"),
        ("airing", "Airing"),
        ("ended", "Ended"),
        ("cancelled", "Cancelled"),
    ]

    network = models.CharField(
        "network or platform", max_length=80, blank=True, help_text="Where it airs or streams, e.g. 'Streamline'."
    )
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default="announced")
    key_art = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Poster or key art; shown wide at the top of the hub.",
    )
    key_art_alt_text = models.CharField(max_length=250, blank=True, help_text="Describe the key art.")
    description = RichTextField(features=["bold", "italic", "link"], blank=True)
    franchise_tags = ClusterTaggableManager(
        through=SeriesFranchiseTag,
        blank=True,
        verbose_name="franchise tags",
        help_text="Franchises and platforms this series belongs to; their latest stories appear on the hub.",
    )

    objects = PageManager.from_queryset(SeriesHubPageQuerySet)()
    # Joined when the hub is routed to (see HomePage.route).
    route_select_related = ("key_art",)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("network"), FieldPanel("status"), FieldPanel("franchise_tags")], heading="About the series"
        ),
        MultiFieldPanel([FieldPanel("key_art"), FieldPanel("key_art_alt_text")], heading="Key art"),
        FieldPanel("description"),
        InlinePanel("seasons", label="Season", heading="Seasons"),
    ]
    promote_panels = Page.promote_panels + SocialFields.social_panels

    api_fields = [
        APIField("network"),
        APIField("status"),
        APIField("description"),
        APIField("franchise_tags"),
        APIField("key_art"),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("description"),
        index.SearchField("network"),
        index.AutocompleteField("network"),
        index.FilterField("status"),
        index.RelatedFields("franchise_tags", [index.SearchField("name")]),
    ]

    parent_page_types = ["news.SeriesIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "series hub"

    @property
    def key_art_alt(self):
        if self.key_art_alt_text:
            return self.key_art_alt_text
        return self.key_art.default_alt_text if self.key_art else ""

    @property
    def franchise_tag_list(self):
        return [item.tag for item in self.franchise_tagged_items.all()]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = paginate(
            request, lambda: ArticlePage.objects.card_rows().filter(series=self), kept_as=f"series:{self.pk}"
        )
        around = kept_for_readers(request, f"series-hub:{self.pk}", self.around)
        articles.object_list, franchise_stories, reviews = cards_ready(
            request, articles.object_list, around["franchise_stories"], around["reviews"]
        )
        context.update(around, articles=articles, franchise_stories=franchise_stories, reviews=reviews)
        return context

    def around(self):
        """The hub's seasons, franchises and the franchises' other stories."""
        tags = [item.tag for item in self.franchise_tagged_items.select_related("tag")]
        franchise_stories = (
            list(
                ArticlePage.objects.card_rows()
                .tagged_any([tag.pk for tag in tags])
                .exclude(series=self)[:FRANCHISE_STORIES]
            )
            if tags
            else []
        )
        return {
            "franchise_tags": tags,
            "seasons": list(self.seasons.all()),
            "franchise_stories": franchise_stories,
            **self.review_summary(),
        }

    def review_summary(self):
        """The hub's latest reviews, and the average rating (stars out of
        five, whatever each desk's scale) of each reviewed season and of all."""
        # Every live review of the hub in one query (a hub has tens, not
        # thousands): the averages are worked out from the same rows.
        reviews = list(
            ArticlePage.objects.card_rows()
            .filter(series=self, rating__isnull=False)
            .values(*CARD_FIELDS, *CARD_ANNOTATIONS, "season_number", "reviewed_kind")
        )
        season_ratings = ratings_by_season(reviews)
        # Each season counts once, however many reviews it had.
        average = (
            round_to_half(sum(stars for _, stars, _ in season_ratings) / len(season_ratings))
            if season_ratings
            else None
        )
        return {
            "reviews": reviews[:HUB_REVIEWS],
            "season_ratings": [
                {"season": number, "stars": stars, "count": count} for number, stars, count in season_ratings
            ],
            "average_season_rating": average,
        }


class SeriesSeason(Orderable):
    page = ParentalKey(SeriesHubPage, on_delete=models.CASCADE, related_name="seasons")
    number = models.PositiveSmallIntegerField()
    premiere_date = models.DateField(null=True, blank=True, help_text="Leave empty if not yet announced.")
    episode_count = models.PositiveSmallIntegerField(null=True, blank=True)
    summary = models.TextField(blank=True)

    panels = [FieldPanel("number"), FieldPanel("premiere_date"), FieldPanel("episode_count"), FieldPanel("summary")]

    class Meta(Orderable.Meta):
        ordering = ["number"]

    def __str__(self):
        return f"Season {self.number}"
