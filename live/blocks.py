"""A live update's body: the few blocks a writer posts from a press line or
a red carpet, each rendered by the story body's own block template."""

from wagtail import blocks

from news.blocks import ImageBlock, MediaEmbedBlock, ParagraphBlock, PullQuoteBlock


class LiveUpdateBodyBlock(blocks.StreamBlock):
    paragraph = ParagraphBlock()
    image = ImageBlock()
    embed = MediaEmbedBlock()
    pull_quote = PullQuoteBlock()

    class Meta:
        min_num = 1
