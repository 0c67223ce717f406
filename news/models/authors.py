from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index

from .visibility import visible_to_readers


class AuthorQuerySet(models.QuerySet):
    def with_public_stories(self):
        """Authors credited on at least one live, public story: the only
        authors readers see (pages, index, feeds, sitemap). A name credited
        only on a draft, a private or an embargoed story would give that story away."""
        # The story model, through the byline relation: article.py imports this module.
        credits = self.model._meta.get_field("article_credits").related_model
        stories = credits._meta.get_field("page").related_model
        public_stories = visible_to_readers(stories.objects.all()).values("pk")
        return self.filter(Exists(credits.objects.filter(author=OuterRef("pk"), page__in=public_stories)))


class Author(index.Indexed, models.Model):
    """A person on a byline. A snippet, so one author serves many stories."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(
        max_length=120, unique=True, help_text="Used in the author page address: /authors/<slug>/."
    )
    role = models.CharField(max_length=120, blank=True, help_text="e.g. 'TV editor' or 'Contributor'.")
    bio = models.TextField(blank=True, help_text="Two or three sentences, shown on the author page.")
    photo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(
        blank=True, help_text="Not shown to readers; used for newsroom notifications about this author's stories."
    )
    website = models.URLField(blank=True)
    x_handle = models.CharField("X (Twitter) handle", max_length=40, blank=True, help_text="Without the @.")
    bluesky_handle = models.CharField(max_length=80, blank=True, help_text="e.g. name.bsky.social")
    instagram_handle = models.CharField(max_length=40, blank=True, help_text="Without the @.")

    objects = AuthorQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("role"),
        FieldPanel("bio"),
        FieldPanel("photo"),
        FieldPanel("email"),
        MultiFieldPanel(
            [
                FieldPanel("website"),
                FieldPanel("x_handle"),
                FieldPanel("bluesky_handle"),
                FieldPanel("instagram_handle"),
            ],
            heading="Social links",
        ),
    ]

    search_fields = [
        index.SearchField("name", boost=2),
        index.AutocompleteField("name"),
        index.SearchField("bio"),
        index.FilterField("slug"),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("news:author", kwargs={"slug": self.slug})

    @property
    def social_links(self):
        links = []
        if self.website:
            links.append(("Website", self.website))
        if self.x_handle:
            links.append(("X", f"https://x.com/{self.x_handle}"))
        if self.bluesky_handle:
            links.append(("Bluesky", f"https://bsky.app/profile/{self.bluesky_handle}"))
        if self.instagram_handle:
            links.append(("Instagram", f"https://www.instagram.com/{self.instagram_handle}/"))
        return links
