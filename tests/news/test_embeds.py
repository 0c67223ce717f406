"""Video and social embeds resolve through oEmbed, here a local server."""

import json

from django.test import RequestFactory

from wagtail.embeds.models import Embed

import pytest

from news import blocks

pytestmark = pytest.mark.django_db


@pytest.fixture
def oembed_provider(settings, local_http_server):
    local_http_server.routes["/oembed"] = (
        200,
        "application/json",
        json.dumps(
            {
                "type": "video",
                "version": "1.0",
                "title": "Night Ledger season 2 teaser",
                "provider_name": "TalkiesTube",
                "html": '<iframe src="https://video.talkies.test/embed/teaser" title="Night Ledger teaser"></iframe>',
                "width": 640,
                "height": 360,
            }
        ),
    )
    settings.WAGTAILEMBEDS_FINDERS = [
        {
            "class": "wagtail.embeds.finders.oembed",
            "providers": [
                {"endpoint": f"{local_http_server.url}/oembed", "urls": [r"^https://video\.talkies\.test/.+$"]}
            ],
        }
    ]
    return local_http_server


def test_video_embed_renders_the_providers_player(oembed_provider):
    block = blocks.MediaEmbedBlock()
    value = block.to_python({"url": "https://video.talkies.test/watch/teaser", "kind": "video", "caption": "Teaser"})
    html = block.render(value, {"request": RequestFactory().get("/")})
    assert '<iframe src="https://video.talkies.test/embed/teaser"' in html
    assert "<figcaption>Teaser</figcaption>" in html
    assert Embed.objects.filter(url="https://video.talkies.test/watch/teaser").exists()
    # Cached: rendering again does not call the provider again.
    block.render(block.to_python({"url": "https://video.talkies.test/watch/teaser", "kind": "video"}))
    assert len([r for r in oembed_provider.requests if r[1].startswith("/oembed")]) == 1


def test_unresolvable_embed_falls_back_to_a_link(oembed_provider):
    block = blocks.MediaEmbedBlock()
    value = block.to_python({"url": "https://social.talkies.test/post/1", "kind": "social", "caption": ""})
    html = block.render(value)
    assert '<a href="https://social.talkies.test/post/1"' in html
    assert "View the post" in html


def test_a_story_with_embeds_renders_each_player(oembed_provider, client):
    from tests.factories import ArticlePageFactory

    teaser = {"url": "https://video.talkies.test/watch/teaser", "kind": "video", "caption": "Teaser"}
    story = ArticlePageFactory(body=[("embed", teaser), ("paragraph", "<p>Between.</p>"), ("embed", teaser)])
    Embed.objects.all().delete()
    for _ in range(2):  # the provider's answer, then the stored embed
        response = client.get(story.url, HTTP_CACHE_CONTROL="no-cache")
        assert response.status_code == 200
        assert response.content.decode().count('<iframe src="https://video.talkies.test/embed/teaser"') == 2
    assert len([r for r in oembed_provider.requests if r[1].startswith("/oembed")]) == 1
