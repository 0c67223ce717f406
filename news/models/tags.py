from django.db import models
from django.db.models import Count, Q
from django.urls import reverse

from modelcluster.fields import ParentalKey
from taggit.models import ItemBase, TagBase
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from caching.page_cache import kept_for_generation

from .visibility import visible_to_readers


class FranchiseTagQuerySet(models.QuerySet):
    def with_story_counts(self):
        """Tags that label at least one live, public story, with the count."""
        # The story model, through the tagging relation: article.py imports this module.
        articles = ArticleFranchiseTag._meta.get_field("content_object").related_model
        public_stories = visible_to_readers(articles.objects.all()).values("pk")
        return self.annotate(
            story_count=Count("tagged_articles", filter=Q(tagged_articles__content_object__in=public_stories))
        ).filter(story_count__gt=0)

    def most_covered(self, limit):
        """The franchises with the most live stories. Counting every story's
        tags is the slowest query of the pages that show this (home, empty
        search results), and the answer changes only with a publish: kept
        under the page cache's generation."""
        return kept_for_generation(
            f"most-covered-franchises:{limit}",
            lambda: list(self.with_story_counts().order_by("-story_count", "name")[:limit]),
            seconds=60 * 60,
        )


class FranchiseTag(index.Indexed, TagBase):
    """A franchise, universe or platform readers follow: Marvel, MCU, Netflix."""

    description = models.TextField(
        blank=True, help_text="Shown at the top of the franchise page; one or two sentences."
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Optional banner for the franchise page.",
    )

    objects = FranchiseTagQuerySet.as_manager()

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description"), FieldPanel("image")]

    search_fields = [
        index.SearchField("name", boost=3),
        index.AutocompleteField("name"),
        index.SearchField("description"),
        index.FilterField("slug"),
    ]

    class Meta:
        verbose_name = "franchise tag"
        verbose_name_plural = "franchise tags"
        ordering = ["name"]

    def get_absolute_url(self):
        return reverse("news:franchise", kwargs={"slug": self.slug})


class ArticleFranchiseTag(ItemBase):
    tag = models.ForeignKey(FranchiseTag, on_delete=models.CASCADE, related_name="tagged_articles")
    content_object = ParentalKey("news.ArticlePage", on_delete=models.CASCADE, related_name="franchise_tagged_items")

    class Meta:
        unique_together = [("content_object", "tag")]


class SeriesFranchiseTag(ItemBase):
    tag = models.ForeignKey(FranchiseTag, on_delete=models.CASCADE, related_name="tagged_series")
    content_object = ParentalKey("news.SeriesHubPage", on_delete=models.CASCADE, related_name="franchise_tagged_items")

    class Meta:
        unique_together = [("content_object", "tag")]
