"""Reader search over the database: matching, facets, ranking, snippets.

This is the embedded default and the fallback when Elasticsearch is down.
It matches headlines, standfirsts, series, franchise and author names; the
story body is searched only by the Elasticsearch backend.
"""

import difflib
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connections
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Length, Substr
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from wagtail.models import Page

from news.models import (
    ArticleAuthor,
    ArticleFranchiseTag,
    ArticlePage,
    Author,
    FranchiseTag,
    SectionPage,
    SeriesHubPage,
)
from news.models.article import prefetch_cards
from search.query import DATE_RANGES, FACETS
from search.synonyms import fold

PER_PAGE = 10
FACET_SIZE = 10
SNIPPET_LENGTH = 240
RECENT_BOOST_SPAN = timedelta(days=30)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Hit:
    story: ArticlePage
    snippet: str


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
    stories match: one computes the matches once (a common table
    expression) and, from it, the total, every facet's counts and the
    requested page of hits; the other loads those hits' cards.

    Facets are multi-select: each is counted under every filter but its
    own, so a reader can widen a facet they already narrowed.
    """

    name = "database"

    def phrase_q(self, phrase):
        """Stories whose headline, standfirst, series, franchise or author
        name contains the phrase: one IN over a union of five small lookups,
        which PostgreSQL answers from trigram indexes (search migration 0003)
        instead of scanning every story."""
        candidates = (
            Page.objects.filter(title__icontains=phrase)
            .order_by()
            .values("pk")
            .union(
                ArticlePage.objects.filter(standfirst__icontains=phrase).order_by().values("pk"),
                ArticlePage.objects.filter(series__title__icontains=phrase).order_by().values("pk"),
                ArticleFranchiseTag.objects.filter(tag__name__icontains=phrase).order_by().values("content_object_id"),
                ArticleAuthor.objects.filter(author__name__icontains=phrase).order_by().values("page_id"),
            )
        )
        return Q(pk__in=candidates)

    def concept_q(self, phrases):
        query = Q()
        for phrase in phrases:
            query |= self.phrase_q(phrase)
        return query

    def score(self, request):
        """Headline matches count most, then the standfirst; the exact
        headline phrase and a recent date add a little."""
        if not request.terms:
            return Value(0)
        score = Value(0)
        for phrases in request.concepts:
            in_title, in_standfirst = Q(), Q()
            for phrase in phrases:
                in_title |= Q(title__icontains=phrase)
                in_standfirst |= Q(standfirst__icontains=phrase)
            score = score + Case(When(in_title, then=4), default=0, output_field=IntegerField())
            score = score + Case(When(in_standfirst, then=2), default=0, output_field=IntegerField())
        if len(request.terms) > 1:
            score = score + Case(When(title__icontains=request.text, then=5), default=0, output_field=IntegerField())
        recent = timezone.now() - RECENT_BOOST_SPAN
        return score + Case(When(first_published_at__gte=recent, then=1), default=0, output_field=IntegerField())

    def age_bucket(self):
        # An integer, not the date: 20,000 datetimes cost more to load than the query.
        now = timezone.now()
        whens = [
            When(first_published_at__gte=now - DATE_RANGES[name], then=position)
            for position, name in enumerate(AGE_BUCKETS)
        ]
        return Case(*whens, default=len(AGE_BUCKETS), output_field=IntegerField())

    def section_q(self, slugs):
        paths = SectionPage.objects.filter(slug__in=slugs, depth=3).values_list("path", flat=True)
        query = Q(pk__in=[])
        for path in paths:
            query |= Q(path__startswith=path, depth=len(path) // Page.steplen + 1)
        return query

    def filter_flags(self, request):
        """1 or 0 per story for each filter the reader set."""

        def flag(condition):
            return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())

        flags = {}
        if values := request.filters.get("franchise"):
            links = ArticleFranchiseTag.objects.filter(content_object_id=OuterRef("pk"), tag__slug__in=values)
            flags["franchise"] = flag(Exists(links))
        if values := request.filters.get("series"):
            flags["series"] = flag(Q(series__slug__in=values))
        if values := request.filters.get("section"):
            flags["section"] = flag(self.section_q(values))
        if values := request.filters.get("author"):
            flags["author"] = flag(
                Exists(ArticleAuthor.objects.filter(page_id=OuterRef("pk"), author__slug__in=values))
            )
        if since := request.published_since:
            flags["date"] = flag(Q(first_published_at__gte=since))
        return flags

    def tag_bonus(self, request):
        """A story tagged with what the reader typed outranks one that only
        mentions it; a tag naming the whole query counts like a headline."""
        whole_query = fold(request.text)
        one_concept = {fold(phrase) for phrases in request.concepts for phrase in phrases}
        naming_all, naming_one = [], []
        for pk, name in FranchiseTag.objects.values_list("pk", "name"):
            if fold(name) == whole_query:
                naming_all.append(pk)
            elif fold(name) in one_concept:
                naming_one.append(pk)
        whens = [
            When(
                Exists(ArticleFranchiseTag.objects.filter(content_object_id=OuterRef("pk"), tag_id__in=ids)),
                then=Value(bonus),
            )
            for ids, bonus in ((naming_all, 4 * len(request.concepts) + 5), (naming_one, 4))
            if ids
        ]
        return Case(*whens, default=Value(0), output_field=IntegerField()) if whens else Value(0)

    def matches(self, request, flags):
        stories = ArticlePage.objects.cards().order_by()
        for phrases in request.concepts:
            stories = stories.filter(self.concept_q(phrases))
        rank = self.score(request) + self.tag_bonus(request) if request.terms else Value(0)
        return stories.annotate(
            section_path=Substr("path", 1, Length("path") - Page.steplen),
            age=self.age_bucket(),
            rank=rank,
            **{f"ok_{name}": expression for name, expression in flags.items()},
        ).values_list(
            "pk", "series_id", "first_published_at", "section_path", "age", "rank", *[f"ok_{name}" for name in flags]
        )

    def run(self, request):
        """Total, facet counts and the page's hit ids, in one statement."""
        flags = self.filter_flags(request)
        matches = self.matches(request, flags)
        query = matches.query
        connection = connections[matches.db]
        quote = connection.ops.quote_name
        columns = [*query.extra_select, *query.values_select, *query.annotation_select]
        match_sql, params = query.sql_with_params()

        def passing(skip=None):
            return " AND ".join(f"m.{quote('ok_' + name)} = 1" for name in flags if name != skip) or "1 = 1"

        tags, authors = ArticleFranchiseTag._meta, ArticleAuthor._meta
        if request.terms and request.sort != "newest":
            order = "m.rank DESC, m.first_published_at DESC, m.pk DESC"
        else:
            order = "m.first_published_at DESC, m.pk DESC"
        offset = (request.page - 1) * PER_PAGE  # a validated integer
        parts = [
            f"SELECT 'total', NULL, COUNT(*), 0 FROM m WHERE {passing()}",
            f"SELECT 'series', CAST(m.series_id AS TEXT), COUNT(*), 0 FROM m "
            f"WHERE {passing('series')} AND m.series_id IS NOT NULL GROUP BY m.series_id",
            f"SELECT 'section', m.section_path, COUNT(*), 0 FROM m WHERE {passing('section')} GROUP BY m.section_path",
            f"SELECT 'date', CAST(m.age AS TEXT), COUNT(*), 0 FROM m WHERE {passing('date')} GROUP BY m.age",
            f"SELECT 'franchise', CAST(l.{quote(tags.get_field('tag').column)} AS TEXT), COUNT(*), 0 "
            f"FROM m JOIN {quote(tags.db_table)} l ON l.{quote(tags.get_field('content_object').column)} = m.pk "
            f"WHERE {passing('franchise')} GROUP BY l.{quote(tags.get_field('tag').column)}",
            f"SELECT 'author', CAST(l.{quote(authors.get_field('author').column)} AS TEXT), COUNT(*), 0 "
            f"FROM m JOIN {quote(authors.db_table)} l ON l.{quote(authors.get_field('page').column)} = m.pk "
            f"WHERE {passing('author')} GROUP BY l.{quote(authors.get_field('author').column)}",
            f"SELECT 'hit', CAST(h.pk AS TEXT), 0, h.position FROM ("
            f"SELECT m.pk, ROW_NUMBER() OVER (ORDER BY {order}) AS position FROM m WHERE {passing()}) h "
            f"WHERE h.position > {offset} AND h.position <= {offset + PER_PAGE}",
        ]
        column_list = ", ".join(quote(column) for column in columns)
        sql = f"WITH m ({column_list}) AS ({match_sql}) " + " UNION ALL ".join(parts)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        total, counts, hits = 0, defaultdict(dict), []
        for kind, key, count, position in rows:
            if kind == "total":
                total = count
            elif kind == "hit":
                hits.append((position, int(key)))
            else:
                counts[kind][key] = count
        return total, counts, [pk for _, pk in sorted(hits)]

    def search(self, request):
        total, counts, page_ids = self.run(request)
        stories = {story.pk: story for story in ArticlePage.objects.cards().filter(pk__in=page_ids)}
        prefetch_cards(stories.values())
        hits = [
            Hit(stories[pk], highlight(stories[pk].standfirst or stories[pk].title, request.highlight_terms))
            for pk in page_ids
            if pk in stories
        ]
        results = SearchResults(hits=hits, total=total, page=request.page)
        labels = facet_labels(counts, request)
        for facet in FACETS:
            results.facets[facet] = facet_values(counts[facet], labels[facet], request.filters.get(facet, []))
        per_bucket = {int(age): count for age, count in counts["date"].items()}
        results.dates = [
            FacetValue(
                name,
                DATE_LABELS[name],
                sum(per_bucket.get(bucket, 0) for bucket in range(position + 1)),
                request.date == name,
            )
            for position, name in enumerate(AGE_BUCKETS)
        ]
        if not total:
            results.suggestion = self.spelling_suggestion(request)
            results.popular_franchises = popular_franchises()
        return results

    def spelling_suggestion(self, request):
        """A corrected query built from the names the newsroom uses."""
        if not request.terms:
            return ""
        vocabulary = set()
        for name in (
            list(FranchiseTag.objects.values_list("name", flat=True))
            + list(SeriesHubPage.objects.live().values_list("title", flat=True))
            + list(Author.objects.values_list("name", flat=True))
        ):
            vocabulary.update(word.lower() for word in re.findall(r"[\w']+", name) if len(word) > 2)
        corrected = []
        changed = False
        for term in request.terms:
            lowered = term.lower()
            if lowered in vocabulary:
                corrected.append(term)
                continue
            match = difflib.get_close_matches(lowered, vocabulary, n=1, cutoff=0.75)
            if match:
                corrected.append(match[0])
                changed = True
            else:
                corrected.append(term)
        return " ".join(corrected) if changed else ""


def facet_labels(counts, request):
    """(slug, label) per facet key, from the small tables of franchises,
    authors, series and sections."""

    def ids(facet):
        return [int(key) for key in counts[facet]]

    return {
        "franchise": {
            str(pk): (slug, name)
            for pk, slug, name in FranchiseTag.objects.filter(pk__in=ids("franchise")).values_list(
                "pk", "slug", "name"
            )
        },
        "author": {
            str(pk): (slug, name)
            for pk, slug, name in Author.objects.filter(pk__in=ids("author")).values_list("pk", "slug", "name")
        },
        "series": {
            str(pk): (slug, title)
            for pk, slug, title in SeriesHubPage.objects.filter(pk__in=ids("series")).values_list(
                "pk", "slug", "title"
            )
        },
        "section": {
            path: (slug, title)
            for path, slug, title in SectionPage.objects.filter(depth=3).values_list("path", "slug", "title")
        },
    }


def facet_values(counts, labels, selected):
    selected = set(selected)
    values = [
        FacetValue(labels[key][0], labels[key][1], count, labels[key][0] in selected)
        for key, count in counts.items()
        if key in labels
    ]
    values.sort(key=lambda item: (-item.count, item.label))
    shown = values[:FACET_SIZE]
    # A selected value stays visible even when it is not among the top counts.
    shown += [item for item in values[FACET_SIZE:] if item.selected]
    return shown


def popular_franchises():
    return FranchiseTag.objects.most_covered(8)


def suggestions(text, limit=5):
    """Typeahead: stories, series hubs and franchises whose names match."""
    text = text.strip()
    stories = ArticlePage.objects.cards().filter(title__icontains=text)[:limit]
    hubs = SeriesHubPage.objects.for_listing().filter(title__icontains=text).order_by("title")[:limit]
    franchises = FranchiseTag.objects.filter(name__icontains=text).order_by("name")[:limit]
    return {
        "query": text,
        "stories": [{"title": story.title, "url": story.url} for story in stories],
        "series": [{"title": hub.title, "url": hub.url} for hub in hubs],
        "franchises": [{"title": tag.name, "url": tag.get_absolute_url()} for tag in franchises],
    }
