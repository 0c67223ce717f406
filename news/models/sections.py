from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404
from django.template.response import TemplateResponse

from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from caching.page_cache import kept_for_generation
from news.pagination import paginate

from .article import ArticlePage
from .reviews import RATING_SCALES, normalised_rating
from .tags import FranchiseTag
from .visibility import RoutedRestrictionsMixin

STAR_FILTERS = (5, 4, 3, 2, 1)


class BadListingFilter(ValueError):
    """A filter no reader could mean; shown as a 400 with this message."""


@dataclass(frozen=True)
class ReviewFilters:
    """What a reader narrowed a reviews desk's listing to: at least this
    many stars (out of five, whatever the desk's scale) and a franchise."""

    min_stars: int | None = None
    franchise: FranchiseTag | None = None

    @classmethod
    def from_query(cls, query_dict):
        raw_stars = query_dict.get("rating", "")
        raw_franchise = query_dict.get("franchise", "")
        min_stars = None
        if raw_stars:
            if not raw_stars.isdigit() or int(raw_stars) not in STAR_FILTERS:
                raise BadListingFilter("The rating filter runs from 1 to 5 stars.")
            min_stars = int(raw_stars)
        franchise = None
        if raw_franchise:
            try:
                franchise = FranchiseTag.objects.get(slug=raw_franchise[:100])
            except ObjectDoesNotExist:
                raise Http404("No such franchise") from None
        return cls(min_stars, franchise)

    def __bool__(self):
        return bool(self.min_stars or self.franchise)

    @property
    def key(self):
        return f"{self.min_stars or ''}:{self.franchise.pk if self.franchise else ''}"

    def apply(self, stories):
        if self.min_stars:
            stories = stories.alias(stars=normalised_rating()).filter(stars__gte=self.min_stars)
        if self.franchise:
            stories = stories.tagged_any([self.franchise.pk])
        return stories


class SectionPage(RoutedRestrictionsMixin, Page):
    """A desk of the newsroom: News, Interviews, Reviews, Features, Opinion."""

    intro = models.CharField(
        max_length=250,
        blank=True,
        help_text="One line under the section name, e.g. 'Reviews of what is worth watching'.",
    )
    rating_scale = models.PositiveSmallIntegerField(
        "reviews desk",
        choices=RATING_SCALES,
        null=True,
        blank=True,
        help_text="For a reviews desk: the scale its reviews are rated on. Readers can then filter "
        "its listing by rating and franchise.",
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("rating_scale")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["news.ArticlePage"]

    class Meta:
        verbose_name = "section"

    @property
    def is_reviews_desk(self):
        return self.rating_scale is not None

    def stories(self):
        return ArticlePage.objects.card_rows().child_of(self)

    def reviewed_franchises(self):
        """Franchises of this desk's live reviews, for the listing's filter."""
        return kept_for_generation(
            f"section-reviewed-franchises:{self.pk}",
            lambda: list(
                FranchiseTag.objects.filter(
                    tagged_articles__content_object__in=self.stories().filter(rating__isnull=False).values("pk")
                )
                .distinct()
                .order_by("name")
                .values_list("slug", "name")
            ),
        )

    def serve(self, request, *args, **kwargs):
        if self.is_reviews_desk:
            try:
                request.review_filters = ReviewFilters.from_query(request.GET)
            except BadListingFilter as error:
                context = {**super().get_context(request), "filter_error": str(error)}
                return TemplateResponse(request, self.get_template(request), context, status=400)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        filters = getattr(request, "review_filters", None) or ReviewFilters()
        context["articles"] = paginate(
            request, lambda: filters.apply(self.stories()), kept_as=f"section:{self.pk}:{filters.key}"
        )
        if self.is_reviews_desk:
            context.update(review_filters=filters, star_filters=STAR_FILTERS, franchises=self.reviewed_franchises())
        return context
