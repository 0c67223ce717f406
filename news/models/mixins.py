from django.db import models

from wagtail.admin.panels import FieldPanel, MultiFieldPanel


class SocialFields(models.Model):
    """What a story or hub looks like when shared on social networks."""

    social_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown when the page is shared. Leave empty to use the main image.",
    )
    social_text = models.CharField(
        max_length=255, blank=True, help_text="Shown when the page is shared. Leave empty to use the summary."
    )

    social_panels = [
        MultiFieldPanel([FieldPanel("social_image"), FieldPanel("social_text")], heading="Social sharing")
    ]

    class Meta:
        abstract = True
