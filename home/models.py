from django.db import models

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.models import Orderable, Page

LATEST_STORIES = 12
SERIES_IN_THE_NEWS = 6
TOP_FRANCHISES = 12


class HomePage(Page):
    """The site root: what readers see first."""

    tagline = models.CharField(
        max_length=160,
        blank=True,
        help_text="One line under the site name on the home page, e.g. 'TV, film and streaming, every day'.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("tagline"),
        InlinePanel(
            "featured_stories",
            label="Featured story",
            heading="Featured stories",
            max_num=5,
            help_text="The first is the lead story; up to four more sit beside it. Unpublished stories are skipped.",
        ),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["news.SectionPage", "news.SeriesIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = "home page"

    def get_context(self, request, *args, **kwargs):
        from news.models import ArticlePage, FranchiseTag, SeriesHubPage

        context = super().get_context(request, *args, **kwargs)
        featured_ids = list(self.featured_stories.values_list("story_id", flat=True))
        featured_by_id = {story.pk: story for story in ArticlePage.objects.for_listing().filter(pk__in=featured_ids)}
        featured = [featured_by_id[pk] for pk in featured_ids if pk in featured_by_id]
        context["lead_story"] = featured[0] if featured else None
        context["featured_stories"] = featured[1:]
        context["latest_stories"] = list(
            ArticlePage.objects.for_listing().exclude(pk__in=featured_ids)[:LATEST_STORIES]
        )
        context["series_in_the_news"] = list(SeriesHubPage.objects.in_the_news()[:SERIES_IN_THE_NEWS])
        context["top_franchises"] = list(
            FranchiseTag.objects.with_story_counts().order_by("-story_count", "name")[:TOP_FRANCHISES]
        )
        return context


class HomeFeaturedStory(Orderable):
    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_stories")
    story = models.ForeignKey("news.ArticlePage", on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("story")]


@register_setting(icon="site")
class SiteSettings(BaseGenericSetting):
    """Site-wide identity editors can change without a deploy."""

    site_description = models.CharField(
        max_length=200,
        default="Entertainment news: TV, film and the streaming franchises you follow.",
        help_text="Used as the default meta description and in feeds.",
    )
    x_handle = models.CharField(
        "X (Twitter) handle",
        max_length=40,
        blank=True,
        help_text="Without the @, e.g. talkiesnews. Used in Twitter card meta.",
    )
    facebook_url = models.URLField(blank=True)
    instagram_url = models.URLField(blank=True)
    footer_text = models.CharField(
        max_length=200, blank=True, default="Talkies is an independent entertainment newsroom."
    )

    panels = [
        FieldPanel("site_description"),
        MultiFieldPanel(
            [FieldPanel("x_handle"), FieldPanel("facebook_url"), FieldPanel("instagram_url")],
            heading="Social accounts",
        ),
        FieldPanel("footer_text"),
    ]

    class Meta:
        verbose_name = "site settings"
