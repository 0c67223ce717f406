"""Each body block on its own: to_python, clean, render."""

from django.core.exceptions import ValidationError
from django.test import RequestFactory

import pytest
from lxml import html as lxml_html

from news import blocks
from tests.factories import ArticlePageFactory, ImageFactory

pytestmark = pytest.mark.django_db


def render(block, raw):
    value = block.to_python(raw)
    block.clean(value)
    return lxml_html.fragment_fromstring(
        block.render(value, {"request": RequestFactory().get("/")}), create_parent="div"
    )


def test_every_block_describes_itself_to_writers():
    for name, block in blocks.ArticleBodyBlock().child_blocks.items():
        assert block.meta.icon, name
        assert block.meta.template.startswith("news/blocks/"), name
        assert block.meta.description, name


def test_paragraph_keeps_allowed_formatting_only():
    block = blocks.ParagraphBlock()
    assert "h2" not in block.features and "image" not in block.features
    tree = render(block, '<p>Quill is <b>back</b> with <a href="https://example.com">news</a>.</p>')
    assert tree.xpath("string(.//b)") == "back"
    assert tree.xpath(".//a/@href") == ["https://example.com"]


def test_heading_gets_a_shareable_anchor():
    tree = render(blocks.HeadingBlock(), {"text": "What season two changes", "level": "h3"})
    heading = tree.xpath(".//h3")[0]
    assert heading.get("id") == "what-season-two-changes"
    assert heading.text_content() == "What season two changes"


def test_pull_quote_names_the_speaker_and_links_the_source():
    tree = render(
        blocks.PullQuoteBlock(),
        {
            "quote": "The second season lives in her heart.",
            "speaker": "Mara Quill",
            "speaker_role": "series lead",
            "source": "in an interview with Screen Weekly",
            "source_url": "https://screenweekly.example/quill",
        },
    )
    assert tree.xpath("string(.//blockquote)").strip() == "The second season lives in her heart."
    assert tree.xpath(".//blockquote/@cite") == ["https://screenweekly.example/quill"]
    assert tree.xpath("string(.//*[@class='pull-quote__speaker'])") == "Mara Quill"
    assert "series lead" in tree.xpath("string(.//figcaption)")


def test_image_requires_alt_text_and_renders_responsive_webp():
    image = ImageFactory()
    block = blocks.ImageBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"image": image.pk, "alt_text": "", "alignment": "full"}))
    tree = render(
        block,
        {
            "image": image.pk,
            "alt_text": "Dana Vex in the rain",
            "caption": "Rain again",
            "credit": "Streamline",
            "alignment": "full",
        },
    )
    img = tree.xpath(".//img")[0]
    assert img.get("alt") == "Dana Vex in the rain"
    assert img.get("loading") == "lazy"
    assert img.get("width") and img.get("height")
    assert ".webp" in img.get("src") and img.get("srcset").count("w,") == 2
    assert "Streamline" in tree.xpath("string(.//figcaption)")


def test_spoiler_callout_is_collapsed_without_javascript():
    tree = render(blocks.CalloutBlock(), {"kind": "spoiler", "title": "", "body": "<p>The villain dies.</p>"})
    details = tree.xpath(".//details")[0]
    assert details.get("open") is None
    assert "Spoiler warning" in details.xpath("string(./summary)")
    assert "The villain dies." in details.text_content()


def test_editors_note_is_an_aside():
    tree = render(blocks.CalloutBlock(), {"kind": "editors_note", "title": "", "body": "<p>Updated with dates.</p>"})
    assert tree.xpath("string(.//aside//*[@class='callout__label'])") == "Editor's note"


def test_related_story_links_live_stories_and_hides_withdrawn_ones():
    story = ArticlePageFactory(title="Night Ledger renewed", standfirst="Another season.")
    tree = render(blocks.RelatedStoryBlock(), {"page": story.pk, "label": "Read next"})
    assert tree.xpath(".//a/@href") == [story.url]
    assert tree.xpath("string(.//*[@class='related-card__label'])") == "Read next"
    story.unpublish()
    assert render(blocks.RelatedStoryBlock(), {"page": story.pk, "label": ""}).xpath(".//a") == []


def test_list_block_numbered_and_bulleted():
    numbered = render(blocks.ListBlock(), {"style": "numbered", "items": ["One", "Two"]})
    assert numbered.xpath(".//ol/li/text()") == ["One", "Two"]
    bulleted = render(blocks.ListBlock(), {"style": "bullet", "items": ["Cast"]})
    assert bulleted.xpath(".//ul/li/text()") == ["Cast"]


def test_season_info_box():
    tree = render(
        blocks.SeasonInfoBlock(),
        {
            "title": "Night Ledger",
            "season": 2,
            "episode": None,
            "episode_title": "",
            "air_date": "2027-03-01",
            "network": "Streamline",
            "rows": [{"label": "Episodes", "value": "13"}],
        },
    )
    assert tree.xpath("string(.//*[@class='info-box__title'])") == "Night Ledger, season 2"
    assert tree.xpath(".//dt/text()") == ["Airs", "Where", "Episodes"]
    assert tree.xpath(".//time/@datetime") == ["2027-03-01"]


def test_script_in_block_text_is_shown_as_text():
    tree = render(blocks.PullQuoteBlock(), {"quote": "<script>alert(1)</script>", "speaker": "<b>Mara</b>"})
    assert tree.xpath(".//script") == []
    assert "<script>alert(1)</script>" in tree.xpath("string(.//blockquote)")
