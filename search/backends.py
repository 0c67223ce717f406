"""Reader search over the database: matching, facets, ranking, snippets.

This is the embedded default and the fallback when Elasticsearch is down.
It matches headlines, standfirsts, series, franchise and author names; the
story body is searched only by the Elasticsearch backend.
"""

import difflib
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import chain

from django.db.models import Case, IntegerField, Q, Value, When
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


# Past this many matches, reading every link row beats a long IN list.
LINKS_IN_LIST_LIMIT = 2000
# Age buckets of the date facet, youngest first; older stories are bucket 3.
AGE_BUCKETS = list(DATE_RANGES)


class Matches:
    """The stories matching the query text, column by column: just what
    filtering, facets and ranking need. One fetch serves them all, instead of
    a query per facet each repeating the text match (seven times slower at
    20,000 stories on PostgreSQL). Rows arrive newest first."""

    def __init__(self, rows):
        columns = [list(column) for column in zip(*rows, strict=True)] if rows else [[], [], [], [], []]
        self.pks, self.series, self.sections, self.ages, self.scores = columns
        self.tags = {}
        self.authors = {}

    def __len__(self):
        return len(self.pks)

    def add_links(self, tag_links, author_links):
        self.tags, self.authors = defaultdict(list), defaultdict(list)
        for pk, tag_id in tag_links:
            self.tags[pk].append(tag_id)
        for pk, author_id in author_links:
            self.authors[pk].append(author_id)

    def tag_ids(self):
        return set(chain.from_iterable(self.tags.values()))

    def author_ids(self):
        return set(chain.from_iterable(self.authors.values()))


class DatabaseReaderSearch:
    """Matches the text in one query; filters, counts facets and ranks the
    matches in Python."""

    name = "database"

    def phrase_q(self, phrase):
        return (
            Q(title__icontains=phrase)
            | Q(dek__icontains=phrase)
            | Q(series__title__icontains=phrase)
            | Q(pk__in=ArticleFranchiseTag.objects.filter(tag__name__icontains=phrase).values("content_object_id"))
            | Q(pk__in=ArticleAuthor.objects.filter(author__name__icontains=phrase).values("page_id"))
        )

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
            in_title, in_dek = Q(), Q()
            for phrase in phrases:
                in_title |= Q(title__icontains=phrase)
                in_dek |= Q(dek__icontains=phrase)
            score = score + Case(When(in_title, then=4), default=0, output_field=IntegerField())
            score = score + Case(When(in_dek, then=2), default=0, output_field=IntegerField())
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

    def matches(self, request):
        stories = ArticlePage.objects.cards()
        for phrases in request.concepts:
            stories = stories.filter(self.concept_q(phrases))
        rows = list(
            stories.annotate(score=self.score(request), age=self.age_bucket()).values_list(
                "pk", "series_id", Substr("path", 1, Length("path") - Page.steplen), "age", "score"
            )
        )
        matches = Matches(rows)
        if matches:
            tag_links = ArticleFranchiseTag.objects.values_list("content_object_id", "tag_id")
            author_links = ArticleAuthor.objects.values_list("page_id", "author_id")
            if len(matches) <= LINKS_IN_LIST_LIMIT:
                tag_links = tag_links.filter(content_object_id__in=matches.pks)
                author_links = author_links.filter(page_id__in=matches.pks)
            matches.add_links(tag_links, author_links)
        return matches

    def search(self, request):
        matches = self.matches(request)
        labels = FacetLabels(matches, request)
        selection = Selection(matches, labels, request)
        found = selection.passing()
        if request.terms and request.sort != "newest":
            bonus = labels.tag_bonus(matches, request)
            # Stable: equal scores stay newest first.
            found.sort(key=lambda i: matches.scores[i] + bonus(i), reverse=True)
        offset = (request.page - 1) * PER_PAGE
        page_ids = [matches.pks[i] for i in found[offset : offset + PER_PAGE]]
        stories = {story.pk: story for story in ArticlePage.objects.cards().filter(pk__in=page_ids)}
        prefetch_cards(stories.values())
        hits = [
            Hit(stories[pk], highlight(stories[pk].dek or stories[pk].title, request.highlight_terms))
            for pk in page_ids
            if pk in stories
        ]
        results = SearchResults(hits=hits, total=len(found), page=request.page)
        for facet in FACETS:
            results.facets[facet] = labels.facet_values(facet, selection.passing(skip=facet), request)
        results.dates = self.date_counts(matches, selection.passing(skip="date"), request)
        if not found:
            results.suggestion = self.spelling_suggestion(request)
            results.popular_franchises = popular_franchises()
        return results

    def date_counts(self, matches, indexes, request):
        per_bucket = Counter(matches.ages[i] for i in indexes)
        labels = {"week": "Past week", "month": "Past month", "year": "Past year"}
        return [
            FacetValue(
                name, labels[name], sum(per_bucket[bucket] for bucket in range(position + 1)), request.date == name
            )
            for position, name in enumerate(AGE_BUCKETS)
        ]

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


def popular_franchises():
    return FranchiseTag.objects.most_covered(8)


class Selection:
    """Which matches pass the reader's filters. For multi-select facets each
    facet is counted under every filter but its own: a match failing only
    that facet's filter still counts towards it."""

    def __init__(self, matches, labels, request):
        self.size = len(matches)
        self.checks = {}
        empty = frozenset()
        for facet, links in (("franchise", matches.tags), ("author", matches.authors)):
            if request.filters.get(facet):
                wanted = labels.ids_for(facet, request)
                self.checks[facet] = [not wanted.isdisjoint(links.get(pk, empty)) for pk in matches.pks]
        if request.filters.get("series"):
            wanted = labels.ids_for("series", request)
            self.checks["series"] = [series_id in wanted for series_id in matches.series]
        if request.filters.get("section"):
            wanted = labels.ids_for("section", request)
            self.checks["section"] = [path in wanted for path in matches.sections]
        if request.date:
            limit = AGE_BUCKETS.index(request.date)
            self.checks["date"] = [age <= limit for age in matches.ages]
        self.failures = [0] * self.size
        for check in self.checks.values():
            for i, ok in enumerate(check):
                if not ok:
                    self.failures[i] += 1

    def passing(self, skip=None):
        failures = self.failures
        if skip not in self.checks:
            return [i for i in range(self.size) if not failures[i]]
        check = self.checks[skip]
        return [i for i in range(self.size) if not failures[i] or (failures[i] == 1 and not check[i])]


class FacetLabels:
    """Slugs and names for the facets, from the small tables of franchises,
    series, sections and authors."""

    def __init__(self, matches, request):
        self.matches = matches
        self.tables = {
            "franchise": self.table(
                FranchiseTag.objects.filter(
                    Q(pk__in=matches.tag_ids()) | Q(slug__in=request.filters.get("franchise", []))
                ).values_list("pk", "slug", "name")
            ),
            "author": self.table(
                Author.objects.filter(
                    Q(pk__in=matches.author_ids()) | Q(slug__in=request.filters.get("author", []))
                ).values_list("pk", "slug", "name")
            ),
            "series": self.table(SeriesHubPage.objects.values_list("pk", "slug", "title")),
            "section": self.table(SectionPage.objects.filter(depth=3).values_list("path", "slug", "title")),
        }

    @staticmethod
    def table(rows):
        return {key: (slug, label) for key, slug, label in rows}

    def ids_for(self, facet, request):
        slugs = set(request.filters.get(facet, []))
        return {key for key, (slug, _) in self.tables[facet].items() if slug in slugs}

    def tag_bonus(self, matches, request):
        """A story tagged with what the reader typed outranks one that only
        mentions it."""
        whole_query = fold(request.text)
        one_concept = {fold(phrase) for phrases in request.concepts for phrase in phrases}
        # A tag naming the whole query counts like a headline naming it.
        bonus_by_tag = {}
        for pk, (_, name) in self.tables["franchise"].items():
            if fold(name) == whole_query:
                bonus_by_tag[pk] = 4 * len(request.concepts) + 5
            elif fold(name) in one_concept:
                bonus_by_tag[pk] = 4
        empty = frozenset()
        if not bonus_by_tag:
            return lambda i: 0
        return lambda i: max((bonus_by_tag.get(tag, 0) for tag in matches.tags.get(matches.pks[i], empty)), default=0)

    def facet_values(self, facet, indexes, request):
        matches = self.matches
        if facet in ("franchise", "author"):
            links = matches.tags if facet == "franchise" else matches.authors
            empty = frozenset()
            counts = Counter(chain.from_iterable(links.get(matches.pks[i], empty) for i in indexes))
        elif facet == "series":
            counts = Counter(matches.series[i] for i in indexes if matches.series[i])
        else:
            counts = Counter(matches.sections[i] for i in indexes)
        table = self.tables[facet]
        selected = set(request.filters.get(facet, []))
        values = [
            FacetValue(table[key][0], table[key][1], count, table[key][0] in selected)
            for key, count in counts.items()
            if key in table
        ]
        values.sort(key=lambda item: (-item.count, item.label))
        shown = values[:FACET_SIZE]
        # A selected value stays visible even when it is not among the top counts.
        shown += [item for item in values[FACET_SIZE:] if item.selected]
        return shown


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
