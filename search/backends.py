"""Reader search over the database: matching, facets, ranking, snippets.

This is the embedded default and the fallback when the search server is
down. It matches the database's own full-text index (search.reader_index):
headline, standfirst, body, pull quotes, series, franchise and author
names, with accents folded, words stemmed and typos widened to the words
the archive holds.
"""

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    FloatField,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from wagtail.models import Page

from caching.page_cache import fragment_cache_enabled, kept_for_generation
from news.cards import story_summaries
from news.models import (
    ArticleAuthor,
    ArticleFranchiseTag,
    ArticlePage,
    Author,
    FranchiseTag,
    SectionPage,
    SeriesHubPage,
)
from news.models.reviews import STAR_BAND_LABELS
from search.models import ReaderDocument
from search.query import DATE_RANGES, FACETS, STAR_BANDS
from search.reader_index import TextQuery, marked_snippet, reader_index, typo_alternatives
from search.text import STOP_WORDS, WORD, fold

PER_PAGE = 10
FACET_SIZE = 10
SNIPPET_LENGTH = 240
# The search server's recency decay: halves at RECENCY_SCALE_DAYS (search.elasticsearch.RECENCY).
RECENCY_SCALE_DAYS = 90
RECENCY_STEPS_DAYS = (15, 45, 75, 105, 135, 165, 210)
# Rank (rank_sql) = concepts matched x MATCHED_CONCEPT + field points (search.reader_index.FIELD_POINTS)
# + text rank (0..1) x TEXT_RANK + WHOLE_PHRASE + tag bonus (4 or more) + recency (0..1).
MATCHED_CONCEPT = 100
TEXT_RANK = 2
WHOLE_PHRASE = 3


def rank_sql(hits):
    """The rank of a match, from the text columns of `hits` (the hits table,
    or the documents' own row) and the story's base rank in `o`."""
    return (
        f"{hits}.matched * {MATCHED_CONCEPT} + {hits}.fields + {hits}.text_rank * {TEXT_RANK} "
        f"+ {hits}.phrase * {WHOLE_PHRASE} + o.base_rank"
    )


# The text index's hits, a common table expression of the search statement.
TEXT_HITS = "talkies_text_hits"


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Hit:
    page_id: int
    # The matched passage, marked; None where the engine found none.
    snippet: str | None
    # What the result shows of the story (news.cards.story_summaries), from `show_stories`.
    story: dict | None = None


@dataclass
class SearchResults:
    hits: list
    total: int
    page: int
    facets: dict = field(default_factory=dict)
    dates: list = field(default_factory=list)
    suggestion: str = ""
    popular_franchises: list = field(default_factory=list)

    @property
    def num_pages(self):
        return max(1, math.ceil(self.total / PER_PAGE))

    @property
    def start_index(self):
        return (self.page - 1) * PER_PAGE + 1

    @property
    def has_next(self):
        return self.page < self.num_pages

    @property
    def has_previous(self):
        return self.page > 1


def highlight(text, terms, length=SNIPPET_LENGTH):
    """An escaped excerpt of `text` around the first term, terms in <mark>."""
    if not text:
        return ""
    pattern = (
        re.compile("|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True)), re.I) if terms else None
    )
    start = 0
    if pattern and (first := pattern.search(text)):
        start = max(0, first.start() - length // 3)
    excerpt = text[start : start + length]
    prefix = "…" if start else ""
    suffix = "…" if start + length < len(text) else ""
    escaped = escape(excerpt)
    if pattern:
        escaped = re.compile(
            "|".join(re.escape(escape(term)) for term in sorted(terms, key=len, reverse=True)), re.I
        ).sub(lambda match: f"<mark>{match.group(0)}</mark>", escaped)
    return mark_safe(f"{prefix}{escaped}{suffix}")


# Age buckets of the date facet, youngest first; older stories are bucket 3.
AGE_BUCKETS = list(DATE_RANGES)
DATE_LABELS = {"week": "Past week", "month": "Past month", "year": "Past year"}


class DatabaseReaderSearch:
    """Reader search on the database, in two statements however many
    stories match: one computes the matches once (common table expressions:
    the text index's hits, then the stories among them a reader may see)
    and, from them, the total, every facet's counts and the requested page
    of hits; the other loads those hits' cards.

    Facets are multi-select: each is counted under every filter but its
    own, so a reader can widen a facet they already narrowed.

    Ranking, best first: stories matching more of the query's concepts;
    then where they matched (headline over standfirst, pull quotes and
    names over body, summed), the database's text rank (`ts_rank` or
    `bm25()`), the reader's exact words as a phrase, a franchise tag naming
    the query, and the search server's recency decay.
    """

    name = "database"

    def __init__(self):
        self.index = reader_index()

    def text_query(self, request):
        """The reader's concepts as the index matches them: stop words
        dropped (unless that leaves nothing), and a word no story holds
        widened to the nearest words that some story does (its typo)."""
        concepts = [list(phrases) for phrases in request.concepts]
        meaningful = [phrases for phrases in concepts if not all(fold(phrase) in STOP_WORDS for phrase in phrases)]
        concepts = meaningful or concepts
        single_words = {fold(phrase) for phrases in concepts for phrase in phrases if len(phrase.split()) == 1}
        known = self.index.words_found(single_words) if single_words else set()
        corrections = {}
        for phrases in concepts:
            if len(phrases) != 1 or len(phrases[0].split()) != 1:
                continue
            word = fold(phrases[0])
            if word in known or not word:
                continue
            alternatives = typo_alternatives(word, self.index)
            if alternatives:
                phrases.extend(alternatives)
                corrections[phrases[0]] = alternatives[0]
        phrase = request.text if len(request.terms) > 1 else ""
        return TextQuery(concepts=concepts, minimum=len(concepts), phrase=phrase, corrections=corrections)

    def age_bucket(self):
        # An integer, not the date: 20,000 datetimes cost more to load than the query.
        now = timezone.now()
        whens = [
            When(published_at__gte=now - DATE_RANGES[name], then=position) for position, name in enumerate(AGE_BUCKETS)
        ]
        return Case(*whens, default=len(AGE_BUCKETS), output_field=IntegerField())

    def filter_flags(self, request):
        """1 or 0 per story for each filter the reader set."""

        def flag(condition):
            return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())

        flags = {}
        if values := request.filters.get("franchise"):
            # IN, not EXISTS: the links are read once into a hash, not probed per story.
            tagged = ArticleFranchiseTag.objects.filter(tag__slug__in=values).values("content_object_id")
            flags["franchise"] = flag(Q(page_id__in=tagged))
        if values := request.filters.get("series"):
            flags["series"] = flag(Q(series__slug__in=values))
        if values := request.filters.get("section"):
            paths = SectionPage.objects.filter(slug__in=values, depth=3).values("path")
            flags["section"] = flag(Q(section_path__in=paths))
        if values := request.filters.get("author"):
            credited = ArticleAuthor.objects.filter(author__slug__in=values).values("page_id")
            flags["author"] = flag(Q(page_id__in=credited))
        if values := request.filters.get("rating"):
            flags["rating"] = flag(Q(star_band__in=[int(value) for value in values]))
        if since := request.published_since:
            flags["date"] = flag(Q(published_at__gte=since))
        return flags

    def tag_bonus(self, request):
        """A story tagged with what the reader typed outranks one that only
        mentions it; a tag naming the whole query counts like a headline."""
        whole_query = fold(request.text)
        one_concept = {fold(phrase) for phrases in request.concepts for phrase in phrases}
        naming_all, naming_one = [], []
        for pk, name in franchise_names():
            if fold(name) == whole_query:
                naming_all.append(pk)
            elif fold(name) in one_concept:
                naming_one.append(pk)
        whens = [
            When(
                page_id__in=ArticleFranchiseTag.objects.filter(tag_id__in=ids).values("content_object_id"),
                then=Value(bonus),
            )
            for ids, bonus in ((naming_all, 4 * len(request.concepts) + 5), (naming_one, 4))
            if ids
        ]
        return Case(*whens, default=Value(0), output_field=IntegerField()) if whens else Value(0)

    def recency(self):
        """The search server's recency decay (search.elasticsearch.RECENCY),
        in steps: 0.5 ** ((age / scale) ** 2) at the middle of each step."""
        now = timezone.now()
        whens, previous = [], 0
        for edge in RECENCY_STEPS_DAYS:
            middle = (previous + edge) / 2
            weight = 0.5 ** ((middle / RECENCY_SCALE_DAYS) ** 2)
            whens.append(When(published_at__gte=now - timedelta(days=edge), then=Value(weight)))
            previous = edge
        return Case(*whens, default=Value(0.0), output_field=FloatField())

    def matches(self, request, flags, text):
        """The reader index's documents (one per live, public story) with
        what the facets, filters and ranking read; the stories shown are
        loaded through `cards()`, which checks them again."""
        documents = ReaderDocument.objects.order_by()
        hit_columns = {}
        if text and self.index.hits_in_documents:
            condition, params, columns = self.index.hit_columns(text)
            documents = documents.filter(RawSQL(condition, params, output_field=BooleanField()))
            hit_columns = {
                name: RawSQL(sql, column_params, output_field=FloatField())
                for name, (sql, column_params) in columns.items()
            }
        elif text:
            documents = documents.filter(page_id__in=RawSQL(f"SELECT page_id FROM {TEXT_HITS}", ()))
        base_rank = self.tag_bonus(request) + self.recency() if text else Value(0.0)
        return documents.annotate(
            age=self.age_bucket(),
            base_rank=ExpressionWrapper(base_rank, output_field=FloatField()),
            **hit_columns,
            **{f"ok_{name}": expression for name, expression in flags.items()},
        ).values_list(
            "page_id",
            "series_id",
            "published_at",
            "section_path",
            "star_band",
            "age",
            "base_rank",
            *hit_columns,
            *[f"ok_{name}" for name in flags],
        )

    def run(self, request, text):
        """Total, facet counts and the page's hit ids, in one statement."""
        flags = self.filter_flags(request)
        matches = self.matches(request, flags, text)
        query = matches.query
        connection = connections[matches.db]
        quote = connection.ops.quote_name
        columns = [*query.extra_select, *query.values_select, *query.annotation_select]
        match_sql, params = query.sql_with_params()
        flag_columns = "".join(f", o.{quote('ok_' + name)}" for name in flags)
        ranked = [
            "pk",
            "series_id",
            "published_at",
            "section_path",
            "star_band",
            "age",
            "rank",
            *[f"ok_{name}" for name in flags],
        ]
        if text and self.index.hits_in_documents:
            rank, source, prefix = rank_sql("o"), "FROM o", ""
        elif text:
            hits_sql, hits_params = self.index.hits_sql(text)
            rank = rank_sql("t")
            source = f"FROM o JOIN {TEXT_HITS} t ON t.page_id = o.page_id"
            prefix = f"{TEXT_HITS} (page_id, text_rank, matched, fields, phrase) AS ({hits_sql}), "
            params = (*hits_params, *params)
        else:
            rank, source, prefix = "o.base_rank", "FROM o", ""

        def passing(skip=None):
            return " AND ".join(f"m.{quote('ok_' + name)} = 1" for name in flags if name != skip) or "1 = 1"

        tags, authors = ArticleFranchiseTag._meta, ArticleAuthor._meta
        tag_table, author_table, page_table = (quote(model._meta.db_table) for model in (FranchiseTag, Author, Page))
        tag_id, tagged_story = (quote(tags.get_field(name).column) for name in ("tag", "content_object"))
        author_id, credited_story = (quote(authors.get_field(name).column) for name in ("author", "page"))
        if request.terms and request.sort != "newest":
            order = "m.rank DESC, m.published_at DESC, m.pk DESC"
        else:
            order = "m.published_at DESC, m.pk DESC"
        offset = (request.page - 1) * PER_PAGE  # a validated integer
        # Rows of (kind, key, slug, label, count, position); each facet
        # brings its values' slugs and labels, so no query follows for them.
        # Counted first, labelled after: a label is looked up once per value, not once per story.
        parts = [
            f"SELECT 'total', NULL, NULL, NULL, COUNT(*), 0 FROM m WHERE {passing()}",
            f"SELECT 'series', CAST(c.id AS TEXT), p.slug, p.title, c.n, 0 FROM ("
            f"SELECT m.series_id AS id, COUNT(*) AS n FROM m WHERE {passing('series')} GROUP BY m.series_id) c "
            f"JOIN {page_table} p ON p.id = c.id",
            # Looked up per value: a join on the path has the planner scan every page.
            f"SELECT 'section', c.path, (SELECT p.slug FROM {page_table} p WHERE p.path = c.path), "
            f"(SELECT p.title FROM {page_table} p WHERE p.path = c.path), c.n, 0 FROM ("
            f"SELECT m.section_path AS path, COUNT(*) AS n FROM m WHERE {passing('section')} "
            f"GROUP BY m.section_path) c",
            f"SELECT 'date', CAST(m.age AS TEXT), NULL, NULL, COUNT(*), 0 FROM m "
            f"WHERE {passing('date')} GROUP BY m.age",
            f"SELECT 'rating', CAST(m.star_band AS TEXT), CAST(m.star_band AS TEXT), NULL, COUNT(*), 0 FROM m "
            f"WHERE m.star_band IS NOT NULL AND {passing('rating')} GROUP BY m.star_band",
            f"SELECT 'franchise', CAST(c.id AS TEXT), f.slug, f.name, c.n, 0 FROM ("
            f"SELECT l.{tag_id} AS id, COUNT(*) AS n FROM m JOIN {quote(tags.db_table)} l ON l.{tagged_story} = m.pk "
            f"WHERE {passing('franchise')} GROUP BY l.{tag_id}) c JOIN {tag_table} f ON f.id = c.id",
            f"SELECT 'author', CAST(c.id AS TEXT), a.slug, a.name, c.n, 0 FROM ("
            f"SELECT l.{author_id} AS id, COUNT(*) AS n FROM m "
            f"JOIN {quote(authors.db_table)} l ON l.{credited_story} = m.pk "
            f"WHERE {passing('author')} GROUP BY l.{author_id}) c JOIN {author_table} a ON a.id = c.id",
            f"SELECT 'hit', CAST(h.pk AS TEXT), NULL, NULL, 0, h.position FROM ("
            f"SELECT m.pk, ROW_NUMBER() OVER (ORDER BY {order}) AS position FROM m WHERE {passing()}) h "
            f"WHERE h.position > {offset} AND h.position <= {offset + PER_PAGE}",
        ]
        sql = (
            f"WITH {prefix}o ({', '.join(quote(column) for column in columns)}) AS ({match_sql}), "
            f"m ({', '.join(quote(column) for column in ranked)}) AS ("
            f"SELECT o.page_id, o.series_id, o.published_at, o.section_path, o.star_band, o.age, {rank}{flag_columns} "
            f"{source}) " + " UNION ALL ".join(parts)
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        total, counts, hits = 0, defaultdict(dict), []
        for kind, key, slug, label, count, position in rows:
            if kind == "total":
                total = count
            elif kind == "hit":
                hits.append((position, int(key)))
            elif kind == "date" or slug is not None:
                counts[kind][key] = (slug, label, count)
        return total, counts, [pk for _, pk in sorted(hits)]

    def search(self, request):
        text = self.text_query(request) if request.terms else None
        total, counts, page_ids = self.run(request, text)
        if text and total < PER_PAGE and len(text.concepts) > 1:
            # Less than a page matches every word: add the stories matching
            # half of them (at least one), ranked below. Only then, because a
            # common word's partial matches cost a scan of the archive.
            text.minimum = max(1, math.ceil(len(text.concepts) / 2))
            total, counts, page_ids = self.run(request, text)
        excerpts = self.index.snippets(page_ids, text) if text and page_ids else {}
        hits = []
        for pk in page_ids:
            body, standfirst = excerpts.get(pk, (None, None))
            hits.append(Hit(pk, marked_snippet(body) or marked_snippet(standfirst)))
        results = SearchResults(hits=hits, total=total, page=request.page)
        for facet in FACETS:
            results.facets[facet] = facet_values(counts[facet], request.filters.get(facet, []))
        results.facets["rating"] = rating_facet(counts["rating"], request.filters.get("rating", []))
        per_bucket = {int(age): count for age, (_, _, count) in counts["date"].items()}
        results.dates = [
            FacetValue(
                name,
                DATE_LABELS[name],
                sum(per_bucket.get(bucket, 0) for bucket in range(position + 1)),
                request.date == name,
            )
            for position, name in enumerate(AGE_BUCKETS)
        ]
        if text and text.corrections:
            results.suggestion = " ".join(text.corrections.get(term, term) for term in request.terms)
        if not total:
            results.popular_franchises = popular_franchises()
        return results


def show_stories(results, http_request, highlight_terms):
    """Give each hit what its result shows of the story. The database has
    the last word: a story unpublished or made private a moment ago, and
    not yet gone from the index, is left out."""
    ids = [hit.page_id for hit in results.hits]
    if fragment_cache_enabled(http_request):
        # The rows that key each kept summary; only visible stories have one.
        visible = list(ArticlePage.objects.card_rows().filter(pk__in=ids)) if ids else []
    else:
        # Loaded through `cards()`, which leaves out what a reader may not see.
        visible = [{"pk": pk} for pk in ids]
    summaries = story_summaries(http_request, visible)
    hits = []
    for hit in results.hits:
        story = summaries.get(hit.page_id)
        if story is None:
            continue
        hit.story = story
        hit.snippet = hit.snippet or highlight(story["summary"] or story["title"], highlight_terms)
        hits.append(hit)
    results.hits = hits
    return results


def facet_values(counts, selected):
    """The facet's values, most stories first, from (slug, label, count) by key."""
    selected = set(selected)
    values = [FacetValue(slug, label, count, slug in selected) for slug, label, count in counts.values()]
    values.sort(key=lambda item: (-item.count, item.label))
    shown = values[:FACET_SIZE]
    # A selected value stays visible even when it is not among the top counts.
    shown += [item for item in values[FACET_SIZE:] if item.selected]
    return shown


def rating_facet(counts, selected):
    """The rating facet, best first, labelled; from (slug, label, count) by key."""
    values = [
        FacetValue(slug, STAR_BAND_LABELS[int(slug)], count, slug in set(selected))
        for slug, _, count in counts.values()
        if slug in STAR_BANDS
    ]
    return sorted(values, key=lambda item: -int(item.value))


def franchise_names():
    """(pk, name) of every franchise, kept under the generation (a franchise
    saved or deleted starts a new one)."""
    return kept_for_generation("franchise-names", lambda: list(FranchiseTag.objects.values_list("pk", "name")))


def popular_franchises():
    return FranchiseTag.objects.most_covered(8)


def suggestions(text, limit=5):
    """Typeahead: stories whose headline holds the words typed so far (the
    last one as a prefix, accents folded), then series hubs and franchises
    whose names contain the text."""
    text = text.strip()
    words = WORD.findall(fold(text))[:8]
    # Newest ids first; more than shown, as some may since have gone private.
    story_ids = reader_index().headline_prefix_matches(words, limit * 4) if words else []
    stories = ArticlePage.objects.cards().filter(pk__in=story_ids)[:limit]
    hubs = SeriesHubPage.objects.for_listing().filter(title__icontains=text).order_by("title")[:limit]
    franchises = FranchiseTag.objects.filter(name__icontains=text).order_by("name")[:limit]
    return {
        "query": text,
        "stories": [{"title": story.title, "url": story.url} for story in stories],
        "series": [{"title": hub.title, "url": hub.url} for hub in hubs],
        "franchises": [{"title": tag.name, "url": tag.get_absolute_url()} for tag in franchises],
    }
