import hashlib

from django.conf import settings
from django.db import models
from django.http import Http404, HttpRequest

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.models import Orderable, Page

from caching.page_cache import is_admin_path, kept_for_generation, kept_for_readers
from home.navigation import top_level_pages
from news.models import ArticlePage, FranchiseTag, SeriesHubPage
from news.models.article import cards_ready
from news.models.visibility import RoutedRestrictionsMixin, restricted_q

LATEST_STORIES = 12
SERIES_IN_THE_NEWS = 6
TOP_FRANCHISES = 12


class HomePage(RoutedRestrictionsMixin, Page):
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

    def route(self, request, path_components):
        """Resolve /<section>/ and /<section>/<story>/ in one query each.

        Wagtail's default walks the tree a level at a time, two queries per
        level, then loads the hero image and series afterwards. The pages under
        home are already loaded for the navigation, and each of them holds one
        type of child (stories in sections, hubs in the series index), so the
        specific page can be fetched directly with what its template needs.
        With fragment caching on, reader requests keep what they found under
        the page cache's generation, like the fragments rendered from it.
        """
        if not path_components:
            # The home page itself, found with whether a view restriction applies.
            home = _routed(request, self.pk, lambda: _for_routing(type(self)).get(pk=self.pk))
            return Page.route(home, request, [])
        parent = None
        if path_components:
            parent = next(
                (page for page in top_level_pages(request).values() if page.slug == path_components[0]), None
            )
        if parent is None:
            return super().route(request, path_components)
        parent_class = parent.specific_class
        if len(path_components) == 1:
            return _routed(request, parent.pk, lambda: _for_routing(parent_class).get(pk=parent.pk)).route(request, [])
        child_classes = parent_class.allowed_subpage_models()
        if len(child_classes) != 1:
            return super().route(request, path_components)
        child_class = child_classes[0]
        child = _routed(
            request,
            f"{parent.pk}/{path_components[1]}",
            lambda: (
                _for_routing(child_class)
                .filter(path__startswith=parent.path, depth=parent.depth + 1, slug=path_components[1])
                .first()
            ),
        )
        if child is None:
            raise Http404
        child._cached_parent_obj = parent
        return child.route(request, path_components[2:])

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        front = kept_for_readers(request, f"front-page:{self.pk}", self.front_page)
        lead = [front["lead_story"]] if front["lead_story"] else []
        lead, featured, latest = cards_ready(request, lead, front["featured_stories"], front["latest_stories"])
        context.update(
            front,
            lead_story=lead[0] if lead else None,
            featured_stories=featured,
            latest_stories=latest,
        )
        context["top_franchises"] = list(FranchiseTag.objects.most_covered(TOP_FRANCHISES))
        return context

    def front_page(self):
        """The lead and featured stories, the latest and the series in the
        news: rows for cards (news/cards.py), kept under the generation."""
        featured_ids = list(self.featured_stories.values_list("story_id", flat=True))
        featured_by_id = {story["pk"]: story for story in ArticlePage.objects.card_rows().filter(pk__in=featured_ids)}
        featured = [featured_by_id[pk] for pk in featured_ids if pk in featured_by_id]
        return {
            "lead_story": featured[0] if featured else None,
            "featured_stories": featured[1:],
            "latest_stories": list(ArticlePage.objects.card_rows().exclude(pk__in=featured_ids)[:LATEST_STORIES]),
            "series_in_the_news": list(SeriesHubPage.objects.in_the_news()[:SERIES_IN_THE_NEWS]),
        }


def _routed(request, route, load):
    """The page `load()` finds for `route`, kept for reader requests under the
    page cache's generation: a publish, unpublish, move, delete or view
    restriction starts a new one, and with it every page is looked up again."""
    return kept_for_readers(request, f"route:{hashlib.sha256(str(route).encode()).hexdigest()}", load)


def _for_routing(page_class):
    """A page type's queryset with the relations its template always shows,
    and whether a view restriction applies to it (see RoutedRestrictionsMixin)."""
    return page_class.objects.select_related(*getattr(page_class, "route_select_related", ())).annotate(
        has_view_restriction=restricted_q()
    )


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

    @classmethod
    def load(cls, request_or_site=None):
        """Reader requests read the settings from the cache, under the page
        cache's generation (saving them starts a new one); the admin's
        settings form and everything else reads the database."""
        request = request_or_site if isinstance(request_or_site, HttpRequest) else None
        if (
            request is None
            or not settings.FRAGMENT_CACHE_SECONDS
            or hasattr(request, cls.get_cache_attr_name())
            or is_admin_path(request.path)
        ):
            return super().load(request_or_site)
        loaded = kept_for_generation("site-settings", lambda: super(SiteSettings, cls).load(request))
        setattr(request, cls.get_cache_attr_name(), loaded)
        return loaded
