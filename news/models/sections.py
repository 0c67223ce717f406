from django.db import models

from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from news.pagination import paginate

from .article import ArticlePage
from .visibility import RoutedRestrictionsMixin


class SectionPage(RoutedRestrictionsMixin, Page):
    """A desk of the newsroom: News, Interviews, Reviews, Features, Opinion."""

    intro = models.CharField(
        max_length=250,
        blank=True,
        help_text="One line under the section name, e.g. 'Reviews of what is worth watching'.",
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["news.ArticlePage"]

    class Meta:
        verbose_name = "section"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["articles"] = paginate(
            request, lambda: ArticlePage.objects.card_rows().child_of(self), kept_as=f"section:{self.pk}"
        )
        return context
