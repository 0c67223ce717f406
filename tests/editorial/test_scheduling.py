"""Scheduled publishing: invisible before go-live everywhere, live after the
beat job runs, and an alarm when go-live is missed."""

from django.utils import timezone

from wagtail.models import Revision

import pytest

from editorial.tasks import publish_scheduled_pages
from news.models import ArticlePage
from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    FranchiseTagFactory,
    SectionPageFactory,
    SeriesHubPageFactory,
    UserFactory,
)
from tests.support.admin import ADMIN
from tests.support.processes import wait_for

READER_SURFACES = [
    "/",
    "/news/",
    "/series/night-ledger/",
    "/franchises/ironbound/",
    "/authors/niko-parrish/",
    "/feeds/latest.rss",
    "/feeds/section/news.atom",
    "/sitemap-stories.xml",
    "/news-sitemap.xml",
    "/api/v2/pages/?type=news.ArticlePage",
]


def schedule(story, go_live_at):
    story.go_live_at = go_live_at
    story.save_revision().publish()
    story.refresh_from_db()
    return story


def visible_on(client, word):
    return [url for url in READER_SURFACES if word in client.get(url, HTTP_HOST="localhost").content.decode()]


@pytest.mark.django_db(transaction=True)
def test_embargoed_story_appears_only_after_the_beat_job_runs(client, worker, beat):
    section = SectionPageFactory(title="News", slug="news")
    series = SeriesHubPageFactory(title="Night Ledger", slug="night-ledger")
    tag = FranchiseTagFactory(name="Ironbound", slug="ironbound")
    author = AuthorFactory(name="Niko Parrish", slug="niko-parrish")
    ArticlePageFactory(parent=section, series=series, tags=[tag], authors=[author], title="An older story")
    story = ArticlePageFactory(
        parent=section,
        series=series,
        tags=[tag],
        authors=[author],
        title="Embargoed okapiword",
        slug="embargoed-okapiword",
        live=False,
    )
    story = schedule(story, timezone.now() + timezone.timedelta(seconds=3))
    assert not story.live

    assert visible_on(client, "okapiword") == []
    assert client.get(f"/news/{story.slug}/").status_code == 404

    # A real beat, sweeping every second, has the real worker publish it once the embargo lifts.
    beat.start(BEAT_SWEEP_SECONDS="1")
    wait_for(lambda: ArticlePage.objects.get(pk=story.pk).live, timeout=60, message="beat and the worker to publish")
    assert ArticlePage.objects.get(pk=story.pk).first_published_at >= story.go_live_at

    assert visible_on(client, "okapiword") == READER_SURFACES
    assert client.get(f"/news/{story.slug}/").status_code == 200, visible_on(client, "okapiword")
    story.refresh_from_db()
    # Go-live fields are left valid: nothing still scheduled, and the next
    # edit publishes at once rather than being taken for a scheduled one.
    assert story.go_live_at is None
    assert not Revision.page_revisions.filter(object_id=str(story.pk), approved_go_live_at__isnull=False).exists()
    story.title = "Embargoed okapiword, updated"
    story.save_revision().publish()
    story.refresh_from_db()
    assert story.live and story.title.endswith("updated")


@pytest.mark.django_db
def test_missed_go_live_raises_the_alarm(client):
    story = ArticlePageFactory(title="Late story", live=False)
    story = schedule(story, timezone.now() + timezone.timedelta(hours=1))
    assert client.get("/healthz").status_code == 200

    # Time passes while beat is down: the go-live time is now ten minutes ago.
    past = timezone.now() - timezone.timedelta(minutes=10)
    revision = Revision.page_revisions.get(object_id=str(story.pk), approved_go_live_at__isnull=False)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save()
    ArticlePage.objects.filter(pk=story.pk).update(go_live_at=past)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["scheduled_publishing"]
    assert "1 scheduled stories missed" in response.json()["checks"]["scheduled_publishing"]["detail"]

    client.force_login(UserFactory(username="chief", is_staff=True, is_superuser=True))
    dashboard = client.get(f"{ADMIN}/").content.decode()
    assert "Scheduled publishing is behind" in dashboard and "Late story" in dashboard

    # When beat returns, the story goes live and the alarm clears.
    publish_scheduled_pages()
    assert ArticlePage.objects.get(pk=story.pk).live
    assert client.get("/healthz").status_code == 200
    assert "Scheduled publishing is behind" not in client.get(f"{ADMIN}/").content.decode()
