"""The database's reader index (search.reader_index), on SQLite in the
embedded pass and on PostgreSQL in the service pass: what it reads from a
story, when it changes, and what a reader's hostile query does to it."""

import logging
from io import StringIO

from django.core.management import call_command
from django.db import connection

from wagtail.models import PageViewRestriction

import pytest
from celery import current_app
from lxml import html as lxml_html

from search.models import PendingIndexUpdate, ReaderDocument, ReaderWord
from search.tasks import sync_reader_index
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


@pytest.fixture
def news():
    return SectionPageFactory(title="News", slug="news")


def snippets(tree):
    return [lxml_html.tostring(node, encoding="unicode") for node in tree.xpath("//p[@class='result__snippet']")]


def test_every_kind_of_body_block_is_searched(client, news):
    ArticlePageFactory(
        parent=news,
        title="Inside the writers' room",
        body=[
            ("heading", {"text": "Whittlesea comes to town", "level": "h2"}),
            ("paragraph", "<p>The room met in a converted <b>boathouse</b>.</p>"),
            (
                "pull_quote",
                {"quote": "We wrote in pencil.", "speaker": "Oriel Vantongeren", "speaker_role": "", "source": ""},
            ),
            ("callout", {"kind": "editors_note", "title": "", "body": "<p>Filmed near Quimperlé.</p>"}),
            ("list", {"style": "bullet", "items": ["Sixteen writers", "Two marmosets"]}),
            (
                "season_info",
                {
                    "title": "Harrowdown",
                    "season": 2,
                    "network": "Brightwave",
                    "rows": [{"label": "Showrunner", "value": "Ysolde Amadi"}],
                },
            ),
        ],
    )
    for query in ("whittlesea", "boathouse", "vantongeren", "quimperle", "marmosets", "brightwave", "ysolde amadi"):
        assert results(client, q=query)[1] == ["Inside the writers' room"], query


def test_accents_plurals_tenses_and_typos_find_the_story(client, news):
    ArticlePageFactory(
        parent=news,
        title="Zoë Haddad cast as the lead in Mirrorlake",
        standfirst="The adaptation premiered its first trailer on Tuesday.",
    )
    reindex("database")
    for query in ("zoe haddad", "ZOË", "trailers", "premieres", "premiering", "haddda", "mirorlake"):
        assert results(client, q=query)[1] == ["Zoë Haddad cast as the lead in Mirrorlake"], query
    for typed in ("zoe", "Zoë Hadd", "mirrorl", "haddad ca"):
        stories = client.get("/search/suggest/", {"q": typed}).json()["stories"]
        assert [story["title"] for story in stories] == ["Zoë Haddad cast as the lead in Mirrorlake"], typed


def test_the_snippet_quotes_the_body_where_it_matched_and_escapes_it(client, news):
    ArticlePageFactory(
        parent=news,
        title="A ratings story",
        standfirst="Numbers.",
        body=[
            ("paragraph", "<p>" + "Filler words to push the match along. " * 12 + "</p>"),
            (
                "paragraph",
                "<p>The showrunner wrote &lt;script&gt;alert(1)&lt;/script&gt; on the gantry board: "
                "5 &lt; 6 &amp; 7.</p>",
            ),
        ],
    )
    tree, _ = results(client, q="gantry")
    [snippet] = snippets(tree)
    assert "<mark>gantry</mark>" in snippet
    assert "<script>" not in snippet
    assert "5 &lt; 6 &amp; 7" in snippet


def test_a_spoiler_is_found_but_never_quoted(client, news):
    ArticlePageFactory(
        parent=news,
        title="Review: Mirrorlake's finale",
        standfirst="An ending that earns its silence.",
        body=[
            ("paragraph", "<p>The last hour is the show's best.</p>"),
            ("callout", {"kind": "spoiler", "title": "", "body": "<p>The lighthouse keeper is the twin.</p>"}),
        ],
    )
    tree, titles = results(client, q="lighthouse keeper twin")
    assert titles == ["Review: Mirrorlake's finale"]
    assert "twin" not in " ".join(snippets(tree))


def test_a_publish_is_searchable_at_once_and_an_unpublish_is_gone_at_once(client, news):
    story = ArticlePageFactory(parent=news, title="Quillfeather wins the night")
    assert results(client, q="quillfeather")[1] == ["Quillfeather wins the night"]
    story.unpublish()
    assert results(client, q="quillfeather")[1] == []
    assert not ReaderDocument.objects.filter(page=story).exists()
    story.save_revision().publish()
    assert results(client, q="quillfeather")[1] == ["Quillfeather wins the night"]
    story.delete()
    assert not ReaderDocument.objects.exists()


def test_drafts_never_reach_the_index(client, news):
    story = ArticlePageFactory(parent=news, title="Sunbittern renewed")
    story.title = "Sunbittern cancelled in a leaked draft"
    story.save_revision()
    assert results(client, q="leaked")[1] == []
    assert results(client, q="sunbittern")[1] == ["Sunbittern renewed"]


def test_renamed_names_reach_the_index_through_the_outbox(client, news, backend, django_capture_on_commit_callbacks):
    author = AuthorFactory(name="Petra Ng", slug="petra-ng")
    tag = FranchiseTagFactory(name="Glimmerverse", slug="glimmerverse")
    hub = SeriesHubPageFactory(title="Gullwing", slug="gullwing")
    story = ArticlePageFactory(parent=news, title="A quiet week", authors=[author], tags=[tag], series=hub)
    reindex(backend)
    assert results(client, q="glimmerverse")[1] == ["A quiet week"]

    with django_capture_on_commit_callbacks() as callbacks:
        author.name = "Petra Ng-Howell"
        author.save()
        tag.name = "Shimmerverse"
        tag.save()
        hub.title = "Gullwing Rising"
        hub.save_revision().publish()
    assert set(PendingIndexUpdate.objects.values_list("page_id", flat=True)) == {story.pk}
    assert callbacks, "the re-index is queued when the rename commits"
    # What the queued task runs in the worker:
    sync_reader_index(story.pk)
    for query in ("howell", "shimmerverse", "gullwing rising"):
        assert results(client, q=query)[1] == ["A quiet week"], query
    tree, _ = results(client, q="quiet week")
    assert "Shimmerverse" in tree.xpath("string(//main)") and "Glimmerverse" not in tree.xpath("string(//main)")
    assert not PendingIndexUpdate.objects.exists()


def test_a_restricted_section_leaves_the_index_at_once_and_returns_when_lifted(client, news):
    story = ArticlePageFactory(parent=news, title="Brightwater casting call")
    reindex("database")
    assert results(client, q="brightwatr")[1] == ["Brightwater casting call"]
    restriction = PageViewRestriction.objects.create(page=news, restriction_type="password", password="x")
    assert not ReaderDocument.objects.filter(page=story).exists()
    assert results(client, q="brightwater")[1] == []
    # A reader's typo must not reveal a word of a story they cannot see.
    tree, _ = results(client, q="brightwatr")
    assert "brightwater" not in tree.xpath("string(//main)").lower()

    restriction.delete()
    sync_reader_index(story.pk)
    assert results(client, q="brightwater")[1] == ["Brightwater casting call"]


def test_a_failing_index_write_never_fails_the_publish(client, news):
    # A real database error: a trigger that refuses every new document.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_document() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'index unavailable'; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_document BEFORE INSERT ON search_readerdocument "
                "FOR EACH ROW EXECUTE FUNCTION refuse_document()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER refuse_document BEFORE INSERT ON search_readerdocument "
                "BEGIN SELECT RAISE(ABORT, 'index unavailable'); END"
            )
    story = ArticlePageFactory(parent=news, title="Lanternfish premieres")
    assert story.live
    assert PendingIndexUpdate.objects.filter(page_id=story.pk).exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER refuse_document" + (" ON search_readerdocument" if connection.vendor == "postgresql" else "")
        )
    sync_reader_index(story.pk)  # the outbox's task
    assert results(client, q="lanternfish")[1] == ["Lanternfish premieres"]
    assert not PendingIndexUpdate.objects.exists()


HOSTILE_QUERIES = [
    '"unbalanced quote',
    '"night" NEAR "ledger"',
    "NEAR(night ledger, 2)",
    "night* ^ledger",
    "title:night",
    "{title body}: night",
    "night AND OR NOT ledger",
    "- night + ledger",
    "\u0301",  # a lone combining accent
    "é ́ ̈",
    "x" * 1000,
    "night " * 200,
    "'; DROP TABLE search_readerdocument; --",
    "%_\\",
    "night:* & ledger | !",
    "(((",
]


# Operators between whole words: the words still find the story.
FOUND_AS_PLAIN_WORDS = {
    '"night" NEAR "ledger"',
    "night* ^ledger",
    "night AND OR NOT ledger",
    "- night + ledger",
    "night " * 200,
    "night:* & ledger | !",
}


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_operators_and_syntax_are_plain_words_never_an_error(client, news, query, caplog):
    ArticlePageFactory(parent=news, title="Night Ledger returns", published_at=hours_ago(1))
    caplog.set_level(logging.WARNING)
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert client.get("/search/suggest/", {"q": query}).status_code == 200
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING] == []
    if query in FOUND_AS_PLAIN_WORDS:
        assert result_titles_of(response) == ["Night Ledger returns"]


def result_titles_of(response):
    return [
        title.strip() for title in lxml_html.fromstring(response.content).xpath("//li[@class='result']//h2/a/text()")
    ]


def test_the_index_is_the_databases_own(news):
    """PostgreSQL: a weighted tsvector with a GIN index; SQLite: FTS5 with
    porter and remove_diacritics 2, and a trigram vocabulary."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'search_readerdocument'")
            assert any("USING gin (vector)" in row[0] for row in cursor.fetchall())
            cursor.execute("SELECT to_tsvector('talkies_english', 'Beyoncé premiered')::text")
            assert cursor.fetchone()[0] == "'beyonc':1 'premier':2"
        else:
            tables = ("search_readerdocument_fts", "search_readerword_trigram")
            cursor.execute("SELECT sql FROM sqlite_master WHERE name IN (%s, %s)", tables)
            definitions = " ".join(row[0] for row in cursor.fetchall())
            assert "porter unicode61 remove_diacritics 2" in definitions and "trigram" in definitions


def test_rebuild_restores_the_index_and_forgets_unpublished_words(client, news):
    story = ArticlePageFactory(parent=news, title="Kestrelmoor renewed")
    gone = ArticlePageFactory(parent=news, title="Wyvernholt teaser")
    gone.unpublish()
    ReaderDocument.objects.all().delete()
    assert results(client, q="kestrelmoor")[1] == []

    output = StringIO()
    call_command("rebuild_reader_index", stdout=output, verbosity=0)
    assert "Database reader index: 1 story." in output.getvalue()
    assert results(client, q="kestrelmoor")[1] == [story.title]
    assert not ReaderWord.objects.filter(word="wyvernholt").exists()


def test_beat_adds_new_stories_words_to_the_typo_vocabulary(client, news, settings):
    story = ArticlePageFactory(parent=news, title="Quasarwhale premieres")
    assert not ReaderWord.objects.filter(word="quasarwhale").exists()
    assert results(client, q="quasarwhal")[1] == []  # no typo candidate yet
    [task_name] = [
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"].endswith("add_new_words")
    ]
    current_app.tasks[task_name]()  # what beat hands the worker every 30 s
    assert ReaderDocument.objects.get(page=story).words_added
    assert results(client, q="quasarwhal")[1] == ["Quasarwhale premieres"]
