"""A story that changes address keeps its old links working."""

import pytest

from tests.factories import ArticlePageFactory, SectionPageFactory

pytestmark = pytest.mark.django_db


def test_changed_slug_redirects_permanently(client, django_capture_on_commit_callbacks):
    story = ArticlePageFactory(parent=SectionPageFactory(slug="news"), slug="night-ledger-renewd")
    old_url = story.url
    story.slug = "night-ledger-renewed"
    with django_capture_on_commit_callbacks(execute=True):
        story.save_revision().publish()
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"].endswith("/news/night-ledger-renewed/")
    assert client.get(response["Location"]).status_code == 200


def test_moved_story_redirects_permanently(client, django_capture_on_commit_callbacks):
    story = ArticlePageFactory(parent=SectionPageFactory(slug="news"), slug="quill-interview")
    interviews = SectionPageFactory(slug="interviews")
    old_url = story.url
    with django_capture_on_commit_callbacks(execute=True):
        story.move(interviews, pos="last-child")
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"].endswith("/interviews/quill-interview/")
