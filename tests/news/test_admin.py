"""The editing experience writers and editors get in the Wagtail admin."""

import pytest
from lxml import html as lxml_html

from tests.factories import ArticlePageFactory, AuthorFactory, FranchiseTagFactory, SectionPageFactory, UserFactory
from tests.support.admin import ADMIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(UserFactory(username="editor", is_staff=True, is_superuser=True))
    return client


def test_article_editor_has_content_promote_and_settings_tabs(editor_client):
    story = ArticlePageFactory(tags=[FranchiseTagFactory(name="Ironbound")])
    response = editor_client.get(f"{ADMIN}/pages/{story.pk}/edit/")
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.content)
    tabs = [tab.text_content().split()[0] for tab in tree.xpath("//a[@role='tab']")]
    assert tabs[:3] == ["Content", "Promote", "Settings"]
    text = tree.text_content()
    for help_text in ("sell the story", "Readers follow these", "Describe the image for readers"):
        assert help_text in text


def test_every_page_type_has_a_working_add_form(editor_client):
    section = SectionPageFactory()
    from tests.factories import series_index

    for url in (
        f"{ADMIN}/pages/add/news/articlepage/{section.pk}/",
        f"{ADMIN}/pages/add/news/serieshubpage/{series_index().pk}/",
        f"{ADMIN}/pages/add/news/sectionpage/{section.get_parent().pk}/",
    ):
        assert editor_client.get(url).status_code == 200, url


def test_authors_and_franchise_tags_are_managed_as_snippets(editor_client):
    AuthorFactory(name="Niko Parrish")
    FranchiseTagFactory(name="Ironbound Universe")
    authors = editor_client.get(f"{ADMIN}/snippets/news/author/")
    assert authors.status_code == 200 and b"Niko Parrish" in authors.content
    tags = editor_client.get(f"{ADMIN}/snippets/news/franchisetag/")
    assert tags.status_code == 200 and b"Ironbound Universe" in tags.content
    assert editor_client.get(f"{ADMIN}/snippets/news/author/add/").status_code == 200


def test_franchise_tag_field_autocompletes(editor_client):
    FranchiseTagFactory(name="Ironbound Universe")
    FranchiseTagFactory(name="Starfall Saga")
    response = editor_client.get(f"{ADMIN}/tag-autocomplete/news/franchisetag/", {"term": "iron"})
    assert response.status_code == 200
    assert response.json() == ["Ironbound Universe"]


def test_preview_renders_the_story_as_readers_will_see_it(editor_client):
    story = ArticlePageFactory(title="Preview me", authors=[AuthorFactory(name="Ada Okonkwo")])
    response = editor_client.get(f"{ADMIN}/pages/{story.pk}/view_draft/")
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.content)
    assert tree.xpath("string(//h1)") == "Preview me"
    assert "Ada Okonkwo" in tree.xpath("string(//*[@class='byline'])")
