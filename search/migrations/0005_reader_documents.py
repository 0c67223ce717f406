"""The database's reader index: a document per live, public story, indexed
by the database itself (see search.reader_index), and its vocabulary.

PostgreSQL: a `talkies_english` text search configuration (unaccent, then
the English stemmer without stop words), a weighted `tsvector` column kept
by a trigger (headline A, standfirst and pull quotes B, body C, names D,
which ranks with B's weight), a GIN index on it and a trigram index on the
vocabulary. SQLite: FTS5 tables over
both, kept by triggers (external content). Then every live, public story
gets its document, so an upgraded site searches its archive at once.
"""

import json

from django.db import migrations, models
import django.db.models.deletion

from search.text import body_parts, plain, vocabulary

FIELDS = ("title", "standfirst", "names", "quotes", "body", "spoilers")

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS talkies_english",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS talkies_english_stem",
    # The English Snowball stemmer without its stop words: "It" and "Us" are
    # films, and a reader's "the" is not ignored when it is all they typed
    # (reader search drops stop words from longer queries itself).
    "CREATE TEXT SEARCH DICTIONARY talkies_english_stem (TEMPLATE = snowball, Language = english)",
    "CREATE TEXT SEARCH CONFIGURATION talkies_english (COPY = pg_catalog.english)",
    "ALTER TEXT SEARCH CONFIGURATION talkies_english "
    "ALTER MAPPING FOR asciiword, asciihword, hword_asciipart WITH talkies_english_stem",
    "ALTER TEXT SEARCH CONFIGURATION talkies_english "
    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, talkies_english_stem",
    "ALTER TABLE search_readerdocument ADD COLUMN vector tsvector",
    """CREATE FUNCTION search_readerdocument_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.vector :=
            setweight(to_tsvector('talkies_english', NEW.title), 'A') ||
            setweight(to_tsvector('talkies_english', NEW.standfirst || E'\\n' || NEW.quotes), 'B') ||
            setweight(to_tsvector('talkies_english', NEW.names), 'D') ||
            setweight(to_tsvector('talkies_english', NEW.body || E'\\n' || NEW.spoilers), 'C');
        RETURN NEW;
    END $$""",
    "CREATE TRIGGER search_readerdocument_vector BEFORE INSERT ON search_readerdocument "
    "FOR EACH ROW EXECUTE FUNCTION search_readerdocument_vector()",
    # A republish that changed no text keeps its vector: no parsing, no GIN update.
    f"CREATE TRIGGER search_readerdocument_vector_changed BEFORE UPDATE ON search_readerdocument "
    f"FOR EACH ROW WHEN (({', '.join('OLD.' + name for name in FIELDS)}) "
    f"IS DISTINCT FROM ({', '.join('NEW.' + name for name in FIELDS)})) "
    "EXECUTE FUNCTION search_readerdocument_vector()",
    "CREATE INDEX search_readerdocument_vector_gin ON search_readerdocument USING gin (vector)",
    "CREATE INDEX search_readerword_word_trgm ON search_readerword USING gin (word gin_trgm_ops)",
]
POSTGRES_REVERSE = [
    "DROP FUNCTION IF EXISTS search_readerdocument_vector() CASCADE",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS talkies_english",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS talkies_english_stem",
]

_columns = ", ".join(FIELDS)
_new = ", ".join(f"new.{name}" for name in FIELDS)
_old = ", ".join(f"old.{name}" for name in FIELDS)
SQLITE = [
    f"CREATE VIRTUAL TABLE search_readerdocument_fts USING fts5({_columns}, content='search_readerdocument', "
    "content_rowid='page_id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_readerdocument_ai AFTER INSERT ON search_readerdocument BEGIN "
    f"INSERT INTO search_readerdocument_fts(rowid, {_columns}) VALUES (new.page_id, {_new}); END",
    "CREATE TRIGGER search_readerdocument_ad AFTER DELETE ON search_readerdocument BEGIN "
    f"INSERT INTO search_readerdocument_fts(search_readerdocument_fts, rowid, {_columns}) "
    f"VALUES ('delete', old.page_id, {_old}); END",
    "CREATE TRIGGER search_readerdocument_au AFTER UPDATE ON search_readerdocument BEGIN "
    f"INSERT INTO search_readerdocument_fts(search_readerdocument_fts, rowid, {_columns}) "
    f"VALUES ('delete', old.page_id, {_old}); "
    f"INSERT INTO search_readerdocument_fts(rowid, {_columns}) VALUES (new.page_id, {_new}); END",
    "CREATE VIRTUAL TABLE search_readerword_trigram USING fts5(word, content='search_readerword', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER search_readerword_ai AFTER INSERT ON search_readerword BEGIN "
    "INSERT INTO search_readerword_trigram(rowid, word) VALUES (new.id, new.word); END",
    "CREATE TRIGGER search_readerword_ad AFTER DELETE ON search_readerword BEGIN "
    "INSERT INTO search_readerword_trigram(search_readerword_trigram, rowid, word) VALUES ('delete', old.id, old.word); END",
]
SQLITE_REVERSE = [
    "DROP TABLE IF EXISTS search_readerdocument_fts",
    "DROP TABLE IF EXISTS search_readerword_trigram",
]


def create_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in POSTGRES if vendor == "postgresql" else SQLITE if vendor == "sqlite" else []:
        schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in POSTGRES_REVERSE if vendor == "postgresql" else SQLITE_REVERSE if vendor == "sqlite" else []:
        schema_editor.execute(statement)


def raw_blocks(value):
    value = getattr(value, "raw_data", value)
    return json.loads(value) if isinstance(value, str) else list(value or [])


def index_live_public_stories(apps, schema_editor):
    """The same documents search.reader_index.store writes, from this
    migration's models."""
    ArticlePage = apps.get_model("news", "ArticlePage")
    ArticleAuthor = apps.get_model("news", "ArticleAuthor")
    ArticleFranchiseTag = apps.get_model("news", "ArticleFranchiseTag")
    PageViewRestriction = apps.get_model("wagtailcore", "PageViewRestriction")
    ReaderDocument = apps.get_model("search", "ReaderDocument")
    ReaderWord = apps.get_model("search", "ReaderWord")
    restricted = list(PageViewRestriction.objects.values_list("page__path", flat=True))
    authors, franchises = {}, {}
    for page_id, name in ArticleAuthor.objects.order_by("sort_order").values_list("page_id", "author__name"):
        authors.setdefault(page_id, []).append(name)
    for page_id, name in ArticleFranchiseTag.objects.values_list("content_object_id", "tag__name"):
        franchises.setdefault(page_id, []).append(name)
    stories = ArticlePage.objects.filter(live=True).values_list(
        "pk", "path", "title", "standfirst", "series_id", "series__title", "first_published_at", "body"
    )
    documents, words = [], set()
    for pk, path, title, standfirst, series_id, series_title, published_at, body in stories.iterator(chunk_size=500):
        if any(path.startswith(prefix) for prefix in restricted):
            continue
        blocks = raw_blocks(body)
        names = [series_title or "", *franchises.get(pk, []), *authors.get(pk, [])]
        fields = {
            "title": plain(title),
            "standfirst": plain(standfirst),
            "names": plain(" \n".join(name for name in names if name)),
            **body_parts(blocks),
        }
        documents.append(
            ReaderDocument(
                page_id=pk,
                words_added=True,
                published_at=published_at,
                series_id=series_id,
                section_path=path[:-4],
                **fields,
            )
        )
        words |= vocabulary(*fields.values())
    ReaderDocument.objects.bulk_create(documents, batch_size=500)
    ReaderWord.objects.bulk_create([ReaderWord(word=word) for word in sorted(words)], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0004_pending_index_updates"),
        ("news", "0005_standfirst"),
        ("wagtailcore", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReaderDocument",
            fields=[
                (
                    "page",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="news.articlepage",
                    ),
                ),
                ("title", models.TextField()),
                ("standfirst", models.TextField(blank=True)),
                ("names", models.TextField(blank=True, help_text="Series, franchises and authors.")),
                ("quotes", models.TextField(blank=True, help_text="Pull quotes and their speakers.")),
                ("body", models.TextField(blank=True)),
                (
                    "spoilers",
                    models.TextField(blank=True, help_text="Spoiler warnings: matched, never quoted in snippets."),
                ),
                ("published_at", models.DateTimeField(null=True)),
                (
                    "series",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="wagtailcore.page",
                    ),
                ),
                (
                    "section_path",
                    models.CharField(
                        blank=True, help_text="The tree path of the story's section.", max_length=255
                    ),
                ),
                (
                    "words_added",
                    models.BooleanField(
                        default=False, help_text="Whether beat has added this version's words to the vocabulary."
                    ),
                ),
            ],
            options={
                "verbose_name": "reader search document",
                "indexes": [
                    models.Index(
                        condition=models.Q(("words_added", False)),
                        fields=["page"],
                        name="reader_document_new_words",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ReaderWord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("word", models.CharField(max_length=40, unique=True)),
            ],
            options={"verbose_name": "reader search word"},
        ),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
        migrations.RunPython(index_live_public_stories, migrations.RunPython.noop, elidable=False),
    ]
