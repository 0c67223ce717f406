"""A draft, a private story and an embargoed one, each with a word of its
own in its headline and body, appear on no reader surface: pages, feeds,
sitemaps, search on every backend, suggestions, the API, the comment form."""

from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest

from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    FranchiseTagFactory,
    SectionPageFactory,
    SeriesHubPageFactory,
    hours_ago,
)
from tests.search.conftest import reindex, results

pytestmark = pytest.mark.django_db

SECRET_WORDS = ("zebradraft", "quokkaprivate", "narwhalembargo")


@pytest.fixture
def hidden_stories(backend):
    news = SectionPageFactory(title="News", slug="news")
    hub = SeriesHubPageFactory(title="Night Ledger", slug="night-ledger")
    tag = FranchiseTagFactory(name="Ironbound", slug="ironbound")
    author = AuthorFactory(name="Ada Okonkwo", slug="ada-okonkwo")

    def story(word, **kwargs):
        return ArticlePageFactory(
            parent=news,
            title=f"Night Ledger {word} exclusive",
            standfirst=f"The {word} standfirst.",
            body=[("paragraph", f"<p>Only the {word} knows.</p>")],
            series=hub,
            tags=[tag],
            authors=[author],
            **kwargs,
        )

    public = ArticlePageFactory(
        parent=news, title="Night Ledger public story", series=hub, tags=[tag], authors=[author]
    )
    draft = story("zebradraft", live=False)
    private = story("quokkaprivate", published_at=hours_ago(1))
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="s3cret")
    embargoed = story("narwhalembargo", live=False)
    embargoed.go_live_at = timezone.now() + timezone.timedelta(days=2)
    embargoed.save_revision().publish()  # scheduled, not live
    reindex(backend)
    return {"public": public, "draft": draft, "private": private, "embargoed": embargoed}


SURFACES = [
    "/",
    "/news/",
    "/series/night-ledger/",
    "/franchises/ironbound/",
    "/authors/ada-okonkwo/",
    "/feeds/latest.rss",
    "/feeds/latest.atom",
    "/feeds/section/news.rss",
    "/feeds/series/night-ledger.rss",
    "/feeds/franchise/ironbound.rss",
    "/feeds/author/ada-okonkwo.rss",
    "/sitemap-stories.xml",
    "/news-sitemap.xml",
    "/api/v2/pages/?type=news.ArticlePage&fields=standfirst,body",
    "/search/?q=night+ledger",
]


def test_hidden_stories_leak_nowhere(client, hidden_stories, backend):
    public = hidden_stories.pop("public")
    hidden_paths = [story.url_path.split("/", 2)[-1] for story in hidden_stories.values()]
    for url in SURFACES:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode().lower()
        # The surface does list stories: the public one is there.
        assert public.title.lower() in body or public.url in body, url
        for word in SECRET_WORDS:
            assert word not in body, (url, word)
        for path in hidden_paths:
            assert path not in body, (url, path)
    for word in SECRET_WORDS:
        assert results(client, q=word)[1] == []
        suggestions = client.get("/search/suggest/", {"q": word}).json()
        assert suggestions["stories"] == suggestions["series"] == suggestions["franchises"] == []
        assert client.get("/api/v2/pages/", {"search": word}).json()["items"] == []
    for story in hidden_stories.values():
        assert client.get(story.url).status_code in (401, 404) or b"password" in client.get(story.url).content
        assert client.get(f"/comments/{story.pk}/").status_code == 404
        assert client.get(f"/api/v2/pages/{story.pk}/").status_code == 404
