"""The database's reader index: one document per live, public story, and
the SQL that matches, ranks and quotes it on PostgreSQL and on SQLite.

PostgreSQL keeps a weighted `tsvector` (headline A; standfirst and pull
quotes B; body C; names D, ranked like B) under the `talkies_english` configuration (unaccent,
then the English Snowball stemmer), with a GIN index. SQLite keeps an FTS5
table with the porter stemmer over `unicode61 remove_diacritics 2`. Both
are written by triggers on `search_readerdocument` (migration 0005), so a
document and its index entry change in one statement. The vocabulary
(`search_readerword`), kept by beat, is trigram-indexed on both: pg_trgm,
FTS5's trigram tokenizer.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils.html import escape
from django.utils.safestring import mark_safe

from wagtail.models import Page

from rapidfuzz.distance import OSA
from tqdm import tqdm

from news.models import ArticleAuthor, ArticleFranchiseTag, ArticlePage
from news.models.reviews import star_band
from news.models.visibility import visible_to_readers
from search.models import ReaderDocument, ReaderWord
from search.text import body_parts, plain, vocabulary

DOCUMENT_FIELDS = ("title", "standfirst", "names", "quotes", "body", "spoilers")
# Copied from the story for facets, filters and ranking.
STORY_FIELDS = ("published_at", "series_id", "section_path", "star_band")
# Marks around matched words in snippets: control characters, which
# search.text.plain removes from every indexed text, so a story cannot forge one.
MARK_START, MARK_END = "\x01", "\x02"
# Points per concept for where it matched, summed over the fields (as the
# search server's field boosts do): a story that names the thing in its
# headline, standfirst and tags is about it; one that mentions it is not.
FIELD_POINTS = {"title": 4, "summary": 2, "names": 2, "body": 1}
TYPO_CANDIDATES = 40
TYPO_ALTERNATIVES = 3


@dataclass
class TextQuery:
    """What the reader typed, as the index matches it: concepts (each a list
    of interchangeable phrases), of which at least `minimum` must match, and
    the whole text as a phrase when it has several words."""

    concepts: list
    minimum: int = 1
    phrase: str = ""
    corrections: dict = field(default_factory=dict)

    @property
    def every_concept(self):
        return self.minimum >= len(self.concepts)

    @property
    def highlight_terms(self):
        return [word for phrases in self.concepts for phrase in phrases for word in phrase.split()]


def allowed_edits(word):
    """Elasticsearch's `fuzziness: AUTO`: none up to 2 letters, one up to 5, then two."""
    return 0 if len(word) < 3 else 1 if len(word) < 6 else 2


# --- Documents --------------------------------------------------------------


def documents_for(page_ids):
    """The documents of those of these stories that are live and public, in
    two queries and no model instances: a publish pays for this."""
    stories = visible_to_readers(ArticlePage.objects.filter(pk__in=page_ids)).values_list(
        "pk",
        "title",
        "standfirst",
        "series__title",
        "body",
        "first_published_at",
        "series_id",
        "path",
        "rating",
        "rating_scale",
    )
    names = defaultdict(list)
    credits = ArticleAuthor.objects.filter(page_id__in=page_ids).order_by().values_list("page_id", "author__name")
    tags = (
        ArticleFranchiseTag.objects.filter(content_object_id__in=page_ids)
        .order_by()
        .values_list("content_object_id", "tag__name")
    )
    for page_id, name in credits.union(tags, all=True):
        names[page_id].append(name)
    return [
        ReaderDocument(
            page_id=pk,
            title=plain(title),
            standfirst=plain(standfirst),
            names=plain(" \n".join(name for name in [series_title, *sorted(names[pk])] if name)),
            **body_parts(body.raw_data),
            published_at=published_at,
            series_id=series_id,
            section_path=path[: -Page.steplen],
            star_band=star_band(rating, rating_scale),
        )
        for pk, title, standfirst, series_title, body, published_at, series_id, path, rating, rating_scale in stories
    ]


def store(page_ids):
    """Bring the documents of these stories in line with the database: a
    live, public story has one, any other story none. Safe to repeat."""
    page_ids = list(page_ids)
    with transaction.atomic():
        documents = documents_for(page_ids)
        kept = {document.page_id for document in documents}
        if len(kept) < len(page_ids):
            ReaderDocument.objects.filter(page_id__in=[pk for pk in page_ids if pk not in kept]).delete()
        if len(documents) == 1:
            # A publish: an UPDATE, which the trigger skips when no text changed,
            # costs half an upsert's INSERT-then-UPDATE.
            [document] = documents
            fields = {name: getattr(document, name) for name in (*DOCUMENT_FIELDS, *STORY_FIELDS)}
            if not ReaderDocument.objects.filter(page_id=document.page_id).update(**fields, words_added=False):
                document.save(force_insert=True)
        elif documents:
            ReaderDocument.objects.bulk_create(
                documents,
                update_conflicts=True,
                unique_fields=["page"],
                update_fields=[*DOCUMENT_FIELDS, "published_at", "series", "section_path", "star_band", "words_added"],
            )
    return len(documents)


def add_new_words(limit=500):
    """Add the words of documents written since the last run to the
    vocabulary; returns how many documents were read."""
    with transaction.atomic():
        documents = list(
            ReaderDocument.objects.filter(words_added=False)
            .select_for_update(skip_locked=True)
            .only("page_id", *DOCUMENT_FIELDS)[:limit]
        )
        if not documents:
            return 0
        words = vocabulary(*(getattr(document, name) for document in documents for name in DOCUMENT_FIELDS))
        ReaderWord.objects.bulk_create(
            [ReaderWord(word=word) for word in sorted(words)], ignore_conflicts=True, batch_size=2000
        )
        ReaderDocument.objects.filter(page_id__in=[document.page_id for document in documents]).update(
            words_added=True
        )
    return len(documents)


# --- SQL per database -------------------------------------------------------


class PostgresReaderIndex:
    CONFIG = "talkies_english"
    # ts_rank's weights for D, C, B, A: names, body, standfirst and quotes, headline.
    WEIGHTS = "{0.4, 0.2, 0.4, 1.0}"

    def concept_sql(self, phrases):
        sql = " || ".join(f"phraseto_tsquery('{self.CONFIG}', %s)" for _ in phrases)
        return f"({sql})", list(phrases)

    # The tsvector weight each field group carries (see migration 0005).
    FIELD_WEIGHTS = {"title": "A", "summary": "B", "names": "D", "body": "C"}

    # The hits are columns of the documents' own scan (`hit_columns`), not
    # a table of their own joined back to the documents.
    hits_in_documents = True

    def hit_columns(self, query):
        """`hits_sql`'s columns as expressions over the document's own row
        (`vector`), with the condition that finds the rows through the GIN
        index: (condition, params, {column: (sql, params)}). Each query
        built from constants is folded to a constant when the statement is
        planned, so repeating it costs nothing per row. A broad query
        matches a quarter of the archive; scanning the documents once
        rather than joining the hits back to them halves its cost."""
        concepts = [self.concept_sql(phrases) for phrases in query.concepts]
        any_sql = " || ".join(sql for sql, _ in concepts)
        any_params = [value for _, params in concepts for value in params]
        matched_sql = " + ".join(f"(vector @@ {sql})::int" for sql, _ in concepts)
        matched_params = any_params
        fields_sql = " + ".join(
            f"{FIELD_POINTS[group]} * (vector @@ {self.labelled(sql, label)})::int"
            for sql, _ in concepts
            for group, label in self.FIELD_WEIGHTS.items()
        )
        fields_params = [value for _, params in concepts for _ in self.FIELD_WEIGHTS for value in params]
        columns = {
            "text_rank": (f"ts_rank('{self.WEIGHTS}', vector, {any_sql}, 1 | 32)", any_params),
            # Where every concept is required, every row found matched them all.
            "matched": (matched_sql, matched_params) if not query.every_concept else (str(len(concepts)), []),
            "fields": (fields_sql, fields_params),
            "phrase": (
                (f"(vector @@ phraseto_tsquery('{self.CONFIG}', %s))::int", [query.phrase])
                if query.phrase
                else ("0", [])
            ),
        }
        wanted = " && ".join(sql for sql, _ in concepts) if query.every_concept else any_sql
        condition = f"vector @@ ({wanted})"
        if not query.every_concept:
            condition += f" AND ({matched_sql}) >= %s"
            return condition, [*any_params, *matched_params, query.minimum], columns
        return condition, any_params, columns

    def hits_sql(self, query):
        """(page_id, text_rank 0..1, concepts matched, field points, whole phrase matched).

        The match is written against the column itself, so that the GIN
        index finds the rows; each concept's query is also built once with
        a weight label per field group ('ledger':A), so that a row's field
        points cost one `@@` each rather than a filtered copy of its vector.
        """
        concepts, params = [], []
        for phrases in query.concepts:
            sql, concept_params = self.concept_sql(phrases)
            concepts.append(sql)
            params.append(concept_params)
        columns, column_params = [], []
        for position, sql in enumerate(concepts):
            columns.append(f"{sql} AS q{position}")
            column_params += params[position]
            for group, label in self.FIELD_WEIGHTS.items():
                columns.append(f"{self.labelled(sql, label)} AS q{position}{group}")
                column_params += params[position]
        if query.phrase:
            columns.append(f"phraseto_tsquery('{self.CONFIG}', %s) AS qp")
            column_params.append(query.phrase)
        else:
            columns.append("NULL::tsquery AS qp")
        any_query = " || ".join(concepts)
        any_params = [value for concept_params in params for value in concept_params]
        # Every concept required: the index itself narrows the rows down.
        wanted = " && ".join(concepts) if query.every_concept else any_query
        matched = " + ".join(f"(d.vector @@ q.q{position})::int" for position in range(len(concepts)))
        fields = " + ".join(
            f"{points} * (d.vector @@ q.q{position}{group})::int"
            for position in range(len(concepts))
            for group, points in FIELD_POINTS.items()
        )
        sql = (
            f"SELECT h.* FROM (SELECT d.page_id, ts_rank('{self.WEIGHTS}', d.vector, q.qa, 1 | 32) AS text_rank, "
            f"{matched} AS matched, {fields} AS fields, COALESCE(d.vector @@ q.qp, false)::int AS phrase "
            f"FROM search_readerdocument d, (SELECT {', '.join(columns)}, {any_query} AS qa) q "
            f"WHERE d.vector @@ ({wanted})) h WHERE h.matched >= %s"
        )
        return sql, [*column_params, *any_params, *any_params, query.minimum]

    # A quoted lexeme in a tsquery's text, '(?:[^']|'')*', as an SQL literal.
    LEXEME = "'''(?:[^'']|'''')*'''"

    def labelled(self, sql, label):
        """The query with every lexeme restricted to one weight label."""
        return f"regexp_replace(({sql})::text, {self.LEXEME}, '\\&:{label}', 'g')::tsquery"

    def snippets(self, page_ids, query):
        """Body and standfirst excerpts with the matched words marked."""
        any_sql, params = self.concept_sql([phrase for phrases in query.concepts for phrase in phrases])
        options = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=18, ShortWord=2"
        sql = (
            f"SELECT d.page_id, ts_headline('{self.CONFIG}', d.body, q.query, %s), "
            f"ts_headline('{self.CONFIG}', d.standfirst, q.query, 'HighlightAll=true, ' || %s) "
            f"FROM search_readerdocument d, (SELECT {any_sql} AS query) q WHERE d.page_id = ANY(%s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [options, options, *params, list(page_ids)])
            return {page_id: (body, standfirst) for page_id, body, standfirst in cursor.fetchall()}

    def headline_prefix_matches(self, words, limit):
        """Stories whose headline holds every word, the last as a prefix."""
        lexemes = ["'" + word.replace("\\", "").replace("'", "''") + "'" for word in words]
        query = " & ".join([*(f"{lexeme}:A" for lexeme in lexemes[:-1]), f"{lexemes[-1]}:*A"])
        sql = (
            f"SELECT page_id FROM search_readerdocument WHERE vector @@ to_tsquery('{self.CONFIG}', %s) "
            "ORDER BY page_id DESC LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [query, limit])
            return [row[0] for row in cursor.fetchall()]

    def words_found(self, words):
        """Those of `words` that some story holds, as written or stemmed."""
        sql = (
            "SELECT w FROM unnest(%s::text[]) w WHERE EXISTS (SELECT 1 FROM search_readerdocument d "
            f"WHERE d.vector @@ plainto_tsquery('{self.CONFIG}', w))"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [list(words)])
            return {row[0] for row in cursor.fetchall()}

    def similar_words(self, word):
        """Vocabulary words that look like `word` and still occur in a story."""
        sql = (
            "SELECT w.word FROM search_readerword w WHERE w.word %% %s AND EXISTS ("
            f"SELECT 1 FROM search_readerdocument d WHERE d.vector @@ plainto_tsquery('{self.CONFIG}', w.word)) "
            "ORDER BY similarity(w.word, %s) DESC, w.word LIMIT %s"
        )
        with connection.cursor() as cursor:
            # pg_trgm's default threshold (0.3) misses one typo in a short name.
            cursor.execute("SELECT set_limit(0.2)")
            cursor.execute(sql, [word, word, TYPO_CANDIDATES])
            return [row[0] for row in cursor.fetchall()]


class SqliteReaderIndex:
    TABLE = "search_readerdocument_fts"
    # FTS5's rank and column filters are read in its own table (`hits_sql`).
    hits_in_documents = False
    # bm25 weights per column, in DOCUMENT_FIELDS order.
    BM25 = "bm25(search_readerdocument_fts, 4.0, 2.0, 3.0, 2.0, 1.0, 1.0)"
    # -bm25 is unbounded; r / (r + SCALE) maps it into 0..1 like PostgreSQL's rank.
    SCALE = 4.0

    @staticmethod
    def quoted(phrase):
        # A double-quoted string is a phrase of plain words to FTS5: operators,
        # NEAR, column filters, * and ^ inside it are just characters.
        return '"' + phrase.replace('"', '""') + '"'

    def concept_expression(self, phrases):
        return "(" + " OR ".join(self.quoted(phrase) for phrase in phrases) + ")"

    # FTS5 column filters for each field group.
    FIELD_COLUMNS = {
        "title": "{title}",
        "summary": "{standfirst quotes}",
        "names": "{names}",
        "body": "{body spoilers}",
    }

    def hits_sql(self, query):
        expressions = [self.concept_expression(phrases) for phrases in query.concepts]
        matching = f"(rowid IN (SELECT rowid FROM {self.TABLE} WHERE {self.TABLE} MATCH %s))"
        matched = " + ".join(matching for _ in expressions)
        fields = " + ".join(f"{points} * {matching}" for _ in expressions for points in FIELD_POINTS.values())
        phrase = matching if query.phrase else "0"
        sql = (
            f"SELECT h.* FROM (SELECT rowid AS page_id, (-{self.BM25}) / (-{self.BM25} + {self.SCALE}) AS text_rank, "
            f"{matched} AS matched, {fields} AS fields, {phrase} AS phrase "
            f"FROM {self.TABLE} WHERE {self.TABLE} MATCH %s) h WHERE h.matched >= %s"
        )
        field_expressions = [
            f"{self.FIELD_COLUMNS[group]} : {expression}" for expression in expressions for group in FIELD_POINTS
        ]
        params = [
            *expressions,
            *field_expressions,
            *([self.quoted(query.phrase)] if query.phrase else []),
            (" AND " if query.every_concept else " OR ").join(expressions),
        ]
        return sql, [*params, query.minimum]

    def snippets(self, page_ids, query):
        expression = " OR ".join(self.concept_expression(phrases) for phrases in query.concepts)
        body, standfirst = DOCUMENT_FIELDS.index("body"), DOCUMENT_FIELDS.index("standfirst")
        marks = f"char({ord(MARK_START)}), char({ord(MARK_END)})"
        placeholders = ", ".join("%s" for _ in page_ids)
        sql = (
            f"SELECT rowid, snippet({self.TABLE}, {body}, {marks}, '…', 30), "
            f"highlight({self.TABLE}, {standfirst}, {marks}) FROM {self.TABLE} "
            f"WHERE {self.TABLE} MATCH %s AND rowid IN ({placeholders})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [expression, *page_ids])
            return {page_id: (body, standfirst) for page_id, body, standfirst in cursor.fetchall()}

    def headline_prefix_matches(self, words, limit):
        expression = " ".join([*(self.quoted(word) for word in words[:-1]), self.quoted(words[-1]) + "*"])
        sql = f"SELECT rowid FROM {self.TABLE} WHERE {self.TABLE} MATCH %s ORDER BY rowid DESC LIMIT %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, ["{title} : (" + expression + ")", limit])
            return [row[0] for row in cursor.fetchall()]

    def words_found(self, words):
        words = list(words)
        if not words:
            return set()
        exists = f"SELECT %s WHERE EXISTS (SELECT 1 FROM {self.TABLE} WHERE {self.TABLE} MATCH %s)"
        with connection.cursor() as cursor:
            cursor.execute(
                " UNION ALL ".join(exists for _ in words),
                [value for word in words for value in (word, self.quoted(word))],
            )
            return {row[0] for row in cursor.fetchall()}

    def similar_words(self, word):
        trigrams = [word[position : position + 3] for position in range(len(word) - 2)]
        if not trigrams:
            return []
        sql = (
            "SELECT w.word FROM search_readerword_trigram t JOIN search_readerword w ON w.id = t.rowid "
            "WHERE search_readerword_trigram MATCH %s AND EXISTS ("
            f"SELECT 1 FROM {self.TABLE} WHERE {self.TABLE} MATCH '\"' || w.word || '\"') "
            "ORDER BY t.rank LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [" OR ".join(self.quoted(trigram) for trigram in trigrams), TYPO_CANDIDATES])
            return [row[0] for row in cursor.fetchall()]


def reader_index():
    return PostgresReaderIndex() if connection.vendor == "postgresql" else SqliteReaderIndex()


def typo_alternatives(word, index=None):
    """Words of the vocabulary within Elasticsearch's AUTO edit distance of
    `word`, sharing its first letter (`prefix_length: 1`), closest first."""
    edits = allowed_edits(word)
    if not edits:
        return []
    index = index or reader_index()
    scored = []
    for candidate in index.similar_words(word):
        if candidate[0] != word[0] or candidate == word:
            continue
        distance = OSA.distance(word, candidate, score_cutoff=edits)
        if distance <= edits:
            scored.append((distance, -len(candidate), candidate))
    return [candidate for _, _, candidate in sorted(scored)[:TYPO_ALTERNATIVES]]


def marked_snippet(text):
    """An excerpt whose only markup is our marks, as <mark>; None when
    nothing in it matched."""
    if not text or MARK_START not in text:
        return None
    escaped = escape(" ".join(text.split()))
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def rebuild(progress=False, batch_size=500):
    """Write the document of every live, public story and drop the rest,
    in batches; the vocabulary starts afresh, so words only unpublished
    stories held are gone. Returns how many stories are indexed."""
    page_ids = list(ArticlePage.objects.live().order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        ReaderDocument.objects.exclude(page_id__in=ArticlePage.objects.live().values("pk")).delete()
        ReaderWord.objects.all().delete()
        indexed = 0
        with tqdm(total=len(page_ids), desc="Indexing stories (database)", unit="story", disable=not progress) as bar:
            for start in range(0, len(page_ids), batch_size):
                batch = page_ids[start : start + batch_size]
                indexed += store(batch)
                bar.update(len(batch))
        while add_new_words(limit=batch_size):
            pass
    return indexed
