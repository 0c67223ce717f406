from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, FloatField
from django.db.models.functions import Cast

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

FIVE_STARS = 5
TEN_POINTS = 10
RATING_SCALES = [(FIVE_STARS, "5 stars, in half stars"), (TEN_POINTS, "10 points, in half points")]


class ReviewedKind(models.TextChoices):
    SERIES = "series", "The series (the story's series hub)"
    SEASON = "season", "One season (the story's series hub and season)"
    FILM = "film", "A film"


# schema.org types of what a review is about.
REVIEWED_TYPES = {ReviewedKind.SERIES: "TVSeries", ReviewedKind.SEASON: "TVSeason", ReviewedKind.FILM: "Movie"}


def rating_in_half_steps(value):
    if value is not None and (value * 2) % 1:
        raise ValidationError("Ratings go in half steps: 3, 3.5, 4.", code="half_steps")


def stars_out_of_five(rating, scale):
    """A rating on its desk's scale as stars out of five, to the half star."""
    return Decimal(round(rating * 2 * FIVE_STARS / scale)) / 2


def star_band(rating, scale):
    """The search facet's value of a rating: its whole stars out of five
    (4 for 4 and 4½ stars, 0 for half a star)."""
    return int(stars_out_of_five(rating, scale)) if rating is not None else None


STAR_BAND_LABELS = {5: "5 stars", **{band: f"{band} to {band}½ stars" for band in range(1, 5)}, 0: "½ star"}


def format_rating(value):
    return f"{value:.1f}".removesuffix(".0")


class ReviewVerdict(models.Model):
    """What makes a story a review: a rating, what is reviewed and the verdict
    in a line. A story with a rating is a review; one without is not."""

    rating = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("10")), rating_in_half_steps],
        help_text="Only for reviews: from 0.5 up to the scale's top, in half steps. Leave empty for other stories.",
    )
    rating_scale = models.PositiveSmallIntegerField(
        choices=RATING_SCALES,
        default=FIVE_STARS,
        help_text="New reviews take their section's scale.",
    )
    reviewed_kind = models.CharField(
        "what is reviewed",
        max_length=10,
        choices=ReviewedKind.choices,
        blank=True,
        help_text="A series or one of its seasons is the story's series hub (and season, under "
        "'Series and franchises'); a film is named here.",
    )
    reviewed_title = models.CharField(
        "film title", max_length=200, blank=True, help_text="For a film: its title as released."
    )
    reviewed_year = models.PositiveSmallIntegerField(
        "film year",
        null=True,
        blank=True,
        validators=[MinValueValidator(1888), MaxValueValidator(2200)],
        help_text="For a film: the year of its release.",
    )
    reviewed_network = models.CharField(
        "network or platform",
        max_length=80,
        blank=True,
        help_text="Where it airs, streams or screens. Leave empty to use the series hub's.",
    )
    verdict = models.CharField(
        max_length=160, blank=True, help_text="The verdict in one line, shown beside the rating on cards."
    )

    verdict_panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("rating"), FieldPanel("rating_scale")]),
                FieldPanel("verdict"),
                FieldPanel("reviewed_kind"),
                FieldRowPanel([FieldPanel("reviewed_title"), FieldPanel("reviewed_year")]),
                FieldPanel("reviewed_network"),
            ],
            heading="Review verdict",
            classname="collapsed",
        )
    ]

    class Meta:
        abstract = True

    @property
    def is_review(self):
        return self.rating is not None

    @property
    def stars(self):
        return stars_out_of_five(self.rating, self.rating_scale) if self.is_review else None

    @property
    def rating_text(self):
        """'4 out of 5': what a screen reader hears and what the stars mean."""
        return f"{format_rating(self.rating)} out of {self.rating_scale}" if self.is_review else ""

    @property
    def reviewed_name(self):
        if self.reviewed_kind == ReviewedKind.FILM:
            return f"{self.reviewed_title} ({self.reviewed_year})" if self.reviewed_year else self.reviewed_title
        if self.reviewed_kind == ReviewedKind.SEASON and self.series_id:
            return f"{self.series.title}, season {self.season_number}"
        return self.series.title if self.series_id else ""

    @property
    def reviewed_platform(self):
        if self.reviewed_network:
            return self.reviewed_network
        return self.series.network if self.series_id and self.reviewed_kind != ReviewedKind.FILM else ""

    @property
    def verdict_data(self):
        """The verdict as the API gives it; None for a story that is not a review."""
        if not self.is_review:
            return None
        return {
            "rating": float(self.rating),
            "scale": self.rating_scale,
            "stars": float(self.stars),
            "rating_text": self.rating_text,
            "verdict": self.verdict,
            "reviewed": {
                "kind": self.reviewed_kind,
                "schema_type": REVIEWED_TYPES.get(self.reviewed_kind, ""),
                "name": self.reviewed_name,
                "series": self.series_id if self.reviewed_kind != ReviewedKind.FILM else None,
                "season": self.season_number if self.reviewed_kind == ReviewedKind.SEASON else None,
                "title": self.reviewed_title,
                "year": self.reviewed_year,
                "platform": self.reviewed_platform,
            },
        }

    def clean(self):
        super().clean()
        if errors := self.verdict_errors():
            raise ValidationError(errors)

    def verdict_errors(self):
        """Field errors of a verdict that does not hold together, by field."""
        errors = {}
        verdict_given = any(
            [self.reviewed_kind, self.reviewed_title, self.reviewed_year, self.reviewed_network, self.verdict]
        )
        if not self.is_review:
            if verdict_given:
                errors["rating"] = "A review needs a rating; clear the verdict fields if this is not a review."
            return errors
        # Not a number: the field's own validation says so.
        if isinstance(self.rating, Decimal) and self.rating > self.rating_scale:
            errors["rating"] = f"On this scale ratings run from 0.5 to {self.rating_scale}."
        if not self.reviewed_kind:
            errors["reviewed_kind"] = "Say what is reviewed: a series, a season or a film."
        elif self.reviewed_kind == ReviewedKind.FILM:
            if not self.reviewed_title:
                errors["reviewed_title"] = "Name the film."
            if not self.reviewed_year:
                errors["reviewed_year"] = "Give the film's year."
        else:
            if not self.series_id:
                errors["reviewed_kind"] = "Choose the series hub under 'Series and franchises'."
            elif self.reviewed_kind == ReviewedKind.SEASON and not self.season_number:
                errors["reviewed_kind"] = "Give the season number under 'Series and franchises'."
        if not self.verdict:
            errors["verdict"] = "Sum the review up in one line."
        return errors

    def review_structured_data(self, request):
        """schema.org Review of what the story reviews, or None."""
        if not self.is_review or not self.reviewed_kind:
            return None
        item = {"@type": REVIEWED_TYPES[self.reviewed_kind]}
        if self.reviewed_kind == ReviewedKind.FILM:
            item["name"] = self.reviewed_title
            if self.reviewed_year:
                item["dateCreated"] = str(self.reviewed_year)
        elif self.series_id:
            series = {"@type": "TVSeries", "name": self.series.title, "url": self.series.get_full_url(request)}
            if self.reviewed_kind == ReviewedKind.SEASON:
                item.update(name=f"Season {self.season_number}", seasonNumber=self.season_number, partOfSeries=series)
            else:
                item.update(name=series["name"], url=series["url"])
        return {
            "@context": "https://schema.org",
            "@type": "Review",
            "name": self.title,
            "url": self.get_full_url(request),
            "description": self.verdict,
            "itemReviewed": item,
            "reviewRating": {
                "@type": "Rating",
                "ratingValue": float(self.rating),
                "bestRating": self.rating_scale,
                "worstRating": 0.5,
            },
            "author": self.authors_structured_data(request),
            "publisher": {"@type": "Organization", "name": "Talkies"},
            "datePublished": self.first_published_at,
        }


def normalised_rating():
    """The rating out of five, for averages across desks of either scale."""
    # As a float: SQLite keeps a whole rating as an integer and would divide it as one.
    return Cast("rating", FloatField()) * FIVE_STARS / F("rating_scale")


def ratings_by_season(reviews):
    """(season number, average stars out of five, review count), in season
    order, from review rows (rating, rating_scale, reviewed_kind, season_number)."""
    by_season = defaultdict(list)
    for row in reviews:
        if row["reviewed_kind"] == ReviewedKind.SEASON and row["season_number"]:
            by_season[row["season_number"]].append(Decimal(row["rating"]) * FIVE_STARS / row["rating_scale"])
    return [
        (number, round_to_half(sum(ratings) / len(ratings)), len(ratings))
        for number, ratings in sorted(by_season.items())
    ]


def round_to_half(value):
    return Decimal(round(float(value) * 2)) / 2
