"""The building blocks of an article body.

Every block names its icon, template, description and a preview value, so the
block picker shows writers what each one looks like before they choose it.
Link and label logic lives in StructValue classes so templates stay plain.
"""

from collections import defaultdict

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.timezone import now

from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.images.blocks import ImageChooserBlock

from bs4 import BeautifulSoup

PARAGRAPH_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul"]


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        super().__init__(features=PARAGRAPH_FEATURES, **kwargs)

    class Meta:
        icon = "pilcrow"
        template = "news/blocks/paragraph_block.html"
        description = "Body text: bold, italic, links and lists."
        preview_value = (
            "<p>The second season digs deeper into what makes its hero tick, "
            "and the cast says it is <b>just as personal</b>.</p>"
        )


class HeadingValue(blocks.StructValue):
    def anchor(self):
        return slugify(self.get("text") or "")[:60] or "section"


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=120, help_text="A subheading inside the story.")
    level = blocks.ChoiceBlock(
        choices=[("h2", "Section heading (H2)"), ("h3", "Subsection heading (H3)")],
        default="h2",
        help_text="Use H2 for main sections; H3 only directly under an H2.",
    )

    class Meta:
        icon = "title"
        template = "news/blocks/heading_block.html"
        value_class = HeadingValue
        description = "A subheading with a link anchor readers can share."
        preview_value = {"text": "What season two changes", "level": "h2"}


class PullQuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(help_text="The words exactly as spoken; no quotation marks needed.")
    speaker = blocks.CharBlock(max_length=120, help_text="Who said it, e.g. 'Mara Quill'.")
    speaker_role = blocks.CharBlock(
        max_length=120, required=False, help_text="Optional, e.g. 'series lead' or 'showrunner'."
    )
    source = blocks.CharBlock(
        max_length=160,
        required=False,
        help_text="Where it was said, if not to Talkies, e.g. 'in an interview with Screen Weekly'.",
    )
    source_url = blocks.URLBlock(required=False, help_text="Link to the original interview.")

    class Meta:
        icon = "openquote"
        template = "news/blocks/pull_quote_block.html"
        description = "A quotation set apart from the text, with the speaker."
        preview_value = {
            "quote": "The first season lived in her head. This one lives in her heart.",
            "speaker": "Mara Quill",
            "speaker_role": "series lead",
            "source": "in an interview with Screen Weekly",
        }


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        max_length=250,
        help_text="Describe the image for readers who cannot see it. Required.",
    )
    caption = blocks.CharBlock(max_length=300, required=False)
    credit = blocks.CharBlock(
        max_length=120, required=False, help_text="Photographer or rights holder, e.g. 'Courtesy of Nightjar'."
    )
    alignment = blocks.ChoiceBlock(
        choices=[("full", "Full width"), ("wide", "Wide"), ("left", "Left"), ("right", "Right")],
        default="full",
    )

    class Meta:
        icon = "image"
        template = "news/blocks/image_block.html"
        description = "A photo or still with alt text, caption and credit."


class EmbedValue(blocks.StructValue):
    def is_social(self):
        return self.get("kind") == "social"

    def player_html(self):
        """The provider's markup without inline code or style.

        Reader pages run under a Content Security Policy that forbids inline
        scripts, event handlers and style attributes; a social post's quote
        still shows as text, and the provider's own script (from an origin
        the policy allows) turns it into their player.
        """
        html = self["url"].html if self.get("url") else ""
        if not html:
            return ""
        soup = BeautifulSoup(html, "html.parser")
        for script in soup.find_all("script"):
            if not script.get("src"):
                script.decompose()
        for element in soup.find_all(True):
            for attribute in [name for name in element.attrs if name == "style" or name.startswith("on")]:
                del element[attribute]
        return mark_safe(str(soup))


class MediaEmbedBlock(blocks.StructBlock):
    url = EmbedBlock(help_text="Paste the address of a video or a social post (YouTube, Vimeo, Bluesky, ...).")
    kind = blocks.ChoiceBlock(choices=[("video", "Video"), ("social", "Social post")], default="video")
    caption = blocks.CharBlock(max_length=300, required=False)

    def bulk_to_python(self, values):
        """Load every embed of a story in one query instead of one per embed.

        Wagtail looks each embed up on first render; here the stored embeds
        for all of them are read at once and their HTML attached. URLs not
        yet fetched fall through to Wagtail's finder as usual.
        """
        struct_values = super().bulk_to_python(values)
        embeds = defaultdict(list)
        for value in struct_values:
            if embed := value.get("url"):
                embeds[get_embed_hash(embed.url, embed.max_width, embed.max_height)].append(embed)
        if embeds:
            # The same lookup as Wagtail's get_embed(), for all of them at once.
            for stored in Embed.objects.exclude(cache_until__lte=now()).filter(hash__in=embeds):
                html = render_to_string("wagtailembeds/embed_frontend.html", {"embed": stored})
                for embed in embeds[stored.hash]:
                    embed.__dict__["html"] = html
        return struct_values

    class Meta:
        icon = "media"
        template = "news/blocks/embed_block.html"
        value_class = EmbedValue
        description = "A trailer, clip or social post, embedded from its address."


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        choices=[
            ("editors_note", "Editor's note"),
            ("opinion", "Opinion"),
            ("spoiler", "Spoiler warning"),
        ],
        default="editors_note",
        help_text="A spoiler warning hides its text until the reader chooses to open it.",
    )
    title = blocks.CharBlock(
        max_length=120, required=False, help_text="Optional; defaults to the kind, e.g. 'Spoiler warning'."
    )
    body = blocks.RichTextBlock(features=PARAGRAPH_FEATURES)

    class Meta:
        icon = "warning"
        template = "news/blocks/callout_block.html"
        description = "An editor's note, opinion aside or collapsible spoiler warning."
        preview_value = {
            "kind": "spoiler",
            "title": "Spoilers for the season one finale",
            "body": "<p>The detective's nemesis does not survive the last episode.</p>",
        }


class RelatedStoryValue(blocks.StructValue):
    def story(self):
        page = self.get("page")
        # A related story that has since been unpublished must not be linked.
        return page if page is not None and page.live else None

    def label(self):
        return self.get("label") or "Related"


class RelatedStoryBlock(blocks.StructBlock):
    page = blocks.PageChooserBlock(page_type="news.ArticlePage", help_text="Another Talkies story.")
    label = blocks.CharBlock(max_length=40, required=False, help_text="Optional kicker, e.g. 'Read next'.")

    class Meta:
        icon = "doc-full"
        template = "news/blocks/related_story_block.html"
        value_class = RelatedStoryValue
        description = "A card linking to another Talkies story."


class ListBlock(blocks.StructBlock):
    style = blocks.ChoiceBlock(choices=[("bullet", "Bulleted"), ("numbered", "Numbered")], default="bullet")
    items = blocks.ListBlock(blocks.CharBlock(max_length=300), min_num=1)

    class Meta:
        icon = "list-ul"
        template = "news/blocks/list_block.html"
        description = "A bulleted or numbered list, e.g. cast or release dates."
        preview_value = {"style": "bullet", "items": ["Mara Quill as Dana Vex", "Theo Marsh as Inspector Rook"]}


class InfoRowBlock(blocks.StructBlock):
    label = blocks.CharBlock(max_length=60)
    value = blocks.CharBlock(max_length=200)


class SeasonInfoBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120, help_text="The show, e.g. 'Night Ledger'.")
    season = blocks.IntegerBlock(min_value=1, required=False)
    episode = blocks.IntegerBlock(min_value=1, required=False)
    episode_title = blocks.CharBlock(max_length=160, required=False)
    air_date = blocks.DateBlock(required=False)
    network = blocks.CharBlock(max_length=80, required=False, help_text="Network or platform.")
    rows = blocks.ListBlock(InfoRowBlock(), required=False, help_text="Extra facts: showrunner, episodes, ...")

    class Meta:
        icon = "table"
        template = "news/blocks/season_info_block.html"
        description = "A fact box for a season or episode."
        preview_value = {
            "title": "Night Ledger",
            "season": 2,
            "network": "Streamline",
            "rows": [{"label": "Episodes", "value": "10"}],
        }


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = ParagraphBlock()
    heading = HeadingBlock()
    pull_quote = PullQuoteBlock()
    image = ImageBlock()
    embed = MediaEmbedBlock()
    callout = CalloutBlock()
    related_story = RelatedStoryBlock()
    list = ListBlock()
    season_info = SeasonInfoBlock()

    class Meta:
        block_counts = {"heading": {"max_num": 40}}


class SourceBlock(blocks.StructBlock):
    """Where reporting came from, e.g. an interview given to another outlet."""

    description = blocks.CharBlock(
        max_length=200, help_text="e.g. 'Interview with Screen Weekly' or 'Press release from Streamline'."
    )
    url = blocks.URLBlock(required=False, help_text="Link to the original, if public.")

    class Meta:
        icon = "link"
        template = "news/blocks/source_block.html"
        description = "A source the story draws on."


class CorrectionBlock(blocks.StructBlock):
    """A timestamped note shown to readers when a story is corrected or updated.

    Kept in the page's own revisions, so the history of corrections is
    versioned with the story it corrects.
    """

    kind = blocks.ChoiceBlock(choices=[("correction", "Correction"), ("update", "Update")], default="update")
    noted_at = blocks.DateTimeBlock(help_text="When the change was made.")
    note = blocks.TextBlock(help_text="What changed, in a sentence readers will understand.")

    class Meta:
        icon = "history"
        template = "news/blocks/correction_block.html"
        description = "A correction or update note, with its time."
