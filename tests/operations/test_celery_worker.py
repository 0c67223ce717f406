"""Background work really leaves the request: a real worker process runs it.

The test publishes a story through the admin over HTTP. Wagtail hands the
reference-index update to django-tasks, our backend sends it to Celery on
commit, and a separate `celery worker` process (over Redis in CI's service
pass, the filesystem broker otherwise) performs it. The effect is visible
to a syndication partner: the story's image appears in the public images API.
"""

from wagtail.models import ReferenceIndex
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

import pytest

from news.models import ArticlePage
from tests.factories import AuthorFactory, ImageFactory, SectionPageFactory, UserFactory
from tests.support.admin import ADMIN
from tests.support.processes import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def celery_tasks_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "operations.task_backend.CeleryTaskBackend"}}


def test_publish_request_hands_index_update_to_a_real_worker(client, worker, celery_tasks_backend):
    section = SectionPageFactory(title="News", slug="news")
    author = AuthorFactory(name="Niko Parrish", slug="niko-parrish")
    image = ImageFactory(title="Key art for Night Ledger")
    editor = UserFactory(username="editor", is_superuser=True, is_staff=True)
    client.force_login(editor)

    data = nested_form_data(
        {
            "title": "Night Ledger returns",
            "slug": "night-ledger-returns",
            "standfirst": "Season two is in production.",
            "hero_image": image.pk,
            "hero_alt_text": "Dana Vex in the rain",
            "franchise_tags": "Ironbound",
            "article_authors": inline_formset([{"author": author.pk}]),
            "body": streamfield([("paragraph", rich_text("<p>Cameras are rolling.</p>"))]),
            "sources": streamfield([]),
            "corrections": streamfield([]),
            "action-publish": "action-publish",
        }
    )
    response = client.post(f"{ADMIN}/pages/add/news/articlepage/{section.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    article = ArticlePage.objects.get(slug="night-ledger-returns")
    assert article.live

    # Nothing ran inside the request: the worker does it, moments later.
    wait_for(
        lambda: ReferenceIndex.objects.filter(object_id=str(article.pk), to_object_id=str(image.pk)).exists(),
        timeout=60,
        message="the worker to index the story's references",
    )
    assert "operations.run_django_task" in worker.log()
    api = client.get("/api/v2/images/").json()
    assert [item["title"] for item in api["items"]] == ["Key art for Night Ledger"]
