"""`seed_bench_stories`: the benchmark's thousands of stories are real live pages."""

from django.core.management import call_command

import pytest

from news.models import ArticlePage
from tests.factories import home_page

pytestmark = pytest.mark.django_db


def test_bulk_stories_are_real_live_pages(client, capsys):
    call_command("seed_demo", verbosity=0)
    before = ArticlePage.objects.live().count()
    call_command("seed_bench_stories", 120, verbosity=1)
    assert ArticlePage.objects.live().count() == before + 120
    assert "Creating stories" in capsys.readouterr().err  # the progress bar
    bulk = ArticlePage.objects.filter(slug__startswith="story-").first()
    response = client.get(bulk.url)
    assert response.status_code == 200
    assert bulk.title.encode() in response.content
    # The tree stays consistent for Wagtail's own tree operations.
    home = home_page()
    assert (
        home.get_descendants().count()
        == ArticlePage.objects.count() + home.get_descendants().not_type(ArticlePage).count()
    )
    section = bulk.get_parent()
    assert section.numchild == section.get_children().count()
