"""Editors' synonyms, relevance and accent folding, on every backend."""

import pytest
from lxml import html as lxml_html

from search.models import SearchSynonym
from tests.factories import (
    ArticlePageFactory,
    FranchiseTagFactory,
    SectionPageFactory,
    hours_ago,
    newsroom_users,
)
from tests.search.conftest import reindex, results
from tests.support.admin import ADMIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def news():
    return SectionPageFactory(title="News", slug="news")


def test_editors_synonyms_apply_at_once_without_a_reindex(client, backend, news):
    ArticlePageFactory(parent=news, title="Jessica Jones returns to Hell's Kitchen", published_at=hours_ago(5))
    ArticlePageFactory(parent=news, title="Marvel Cinematic Universe slate reshuffled", published_at=hours_ago(3))
    ArticlePageFactory(parent=news, title="Harbor Lights wins the ratings week", published_at=hours_ago(1))
    reindex(backend)

    assert results(client, q="JJ")[1] == []
    SearchSynonym.objects.create(terms="JJ, Jessica Jones")
    SearchSynonym.objects.create(terms="MCU, Marvel Cinematic Universe")

    tree, titles = results(client, q="jj")
    assert titles == ["Jessica Jones returns to Hell's Kitchen"]
    # And the other way round: the full name finds a story using the short one.
    ArticlePageFactory(parent=news, title="MCU slate: what moved", published_at=hours_ago(2))
    reindex(backend)
    assert set(results(client, q="marvel cinematic universe slate")[1]) == {
        "Marvel Cinematic Universe slate reshuffled",
        "MCU slate: what moved",
    }

    SearchSynonym.objects.filter(terms__startswith="JJ").delete()
    assert results(client, q="jj")[1] == []


def test_a_story_titled_or_tagged_with_a_name_ranks_above_a_passing_mention(client, backend, news):
    jessica = FranchiseTagFactory(name="Jessica Jones", slug="jessica-jones")
    ArticlePageFactory(
        parent=news,
        title="Streaming roundup for the weekend ahead",
        standfirst="Among a dozen releases, Jessica Jones gets a quiet anniversary rewatch and more.",
        published_at=hours_ago(1),
    )
    ArticlePageFactory(
        parent=news,
        title="Defenders reunion confirmed for spring",
        standfirst="The street-level heroes are back together.",
        tags=[jessica],
        published_at=hours_ago(24 * 40),
    )
    ArticlePageFactory(
        parent=news, title="Jessica Jones: the final case", standfirst="A farewell.", published_at=hours_ago(24 * 200)
    )
    reindex(backend)

    _, titles = results(client, q="Jessica Jones")
    # The newest story only mentions the name: a mild recency boost does not lift it over the others.
    assert titles[-1] == "Streaming roundup for the weekend ahead"
    assert set(titles[:2]) == {"Jessica Jones: the final case", "Defenders reunion confirmed for spring"}


@pytest.mark.parametrize("backend", ["elasticsearch", "opensearch"], indirect=True)
def test_pull_quotes_weigh_more_than_body_text_and_accents_fold(client, backend, news):
    ArticlePageFactory(
        parent=news,
        title="On set with the crew",
        body=[("paragraph", "<p>The costumes used so much velvet that the wardrobe ran out.</p>")],
        published_at=hours_ago(1),
    )
    ArticlePageFactory(
        parent=news,
        title="The lead actor speaks",
        body=[
            ("paragraph", "<p>An interview.</p>"),
            ("pull_quote", {"quote": "I wore velvet every day for a year.", "speaker": "Mara Quill"}),
        ],
        published_at=hours_ago(24 * 30),
    )
    ArticlePageFactory(parent=news, title="Pokémon live-action series casts its lead", published_at=hours_ago(2))
    reindex(backend)

    assert results(client, q="velvet")[1] == ["The lead actor speaks", "On set with the crew"]
    assert results(client, q="pokemon")[1] == ["Pokémon live-action series casts its lead"]


@pytest.mark.parametrize("backend", ["database"], indirect=True)
def test_editors_maintain_synonyms_in_the_admin_and_writers_cannot(client, backend):
    from editorial.newsroom import EDITORS, WRITERS, setup_newsroom

    setup_newsroom()
    people = newsroom_users(eddie=EDITORS, wren=WRITERS)
    client.force_login(people["eddie"])
    response = client.post(f"{ADMIN}/snippets/search/searchsynonym/add/", {"terms": "MCU"})
    assert response.status_code == 200
    errors = lxml_html.fromstring(response.content).xpath("string(//*[contains(@class, 'error-message')])")
    assert "at least two names" in errors
    assert b'value="MCU"' in response.content  # what the editor typed is kept

    response = client.post(
        f"{ADMIN}/snippets/search/searchsynonym/add/", {"terms": " MCU ,  Marvel  Cinematic Universe,mcu"}
    )
    assert response.status_code == 302
    assert list(SearchSynonym.objects.values_list("terms", flat=True)) == ["MCU, Marvel Cinematic Universe"]

    client.force_login(people["wren"])
    assert client.get(f"{ADMIN}/snippets/search/searchsynonym/").status_code in (302, 403)
    response = client.post(f"{ADMIN}/snippets/search/searchsynonym/add/", {"terms": "JJ, Jessica Jones"})
    assert response.status_code in (302, 403)
    assert SearchSynonym.objects.count() == 1
