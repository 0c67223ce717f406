"""Reader search over the database: matching, facets, ranking, snippets.

This is the embedded default and the fallback when Elasticsearch is down.
It matches headlines, standfirsts, series, franchise and author names; the
story body is searched only by the Elasticsearch backend.
"""

import difflib
import math
import re
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Q, Value, When
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

PER_PAGE = 10
FACET_SIZE = 10
SNIPPET_LENGTH = 240


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


class DatabaseReaderSearch:
    name = "database"

    def term_q(self, term):
        return (
            Q(title__icontains=term)
            | Q(dek__icontains=term)
            | Q(series__title__icontains=term)
            | Q(pk__in=ArticleFranchiseTag.objects.filter(tag__name__icontains=term).values("content_object_id"))
            | Q(pk__in=ArticleAuthor.objects.filter(author__name__icontains=term).values("page_id"))
        )

    def filter_q(self, facet, values):
        if not values:
            return Q()
        if facet == "franchise":
            return Q(pk__in=ArticleFranchiseTag.objects.filter(tag__slug__in=values).values("content_object_id"))
        if facet == "series":
            return Q(series__slug__in=values)
        if facet == "author":
            return Q(pk__in=ArticleAuthor.objects.filter(author__slug__in=values).values("page_id"))
        paths = SectionPage.objects.filter(slug__in=values, depth=3).values_list("path", flat=True)
        query = Q(pk__in=[])
        for path in paths:
            query |= Q(path__startswith=path, depth=len(path) // Page.steplen + 1)
        return query

    def matching(self, request, skip_facet=None, skip_date=False):
        stories = ArticlePage.objects.cards()
        for term in request.terms:
            stories = stories.filter(self.term_q(term))
        for facet in FACETS:
            if facet != skip_facet:
                stories = stories.filter(self.filter_q(facet, request.filters.get(facet)))
        if request.published_since and not skip_date:
            stories = stories.filter(first_published_at__gte=request.published_since)
        return stories

    def ranked(self, stories, request):
        if request.sort == "newest" or not request.terms:
            return stories
        score = Value(0)
        for term in request.terms:
            score = score + Case(When(title__icontains=term, then=3), default=0, output_field=IntegerField())
            score = score + Case(When(dek__icontains=term, then=1), default=0, output_field=IntegerField())
        if len(request.terms) > 1:
            score = score + Case(When(title__icontains=request.text, then=5), default=0, output_field=IntegerField())
        return stories.annotate(score=score).order_by("-score", "-first_published_at", "-pk")

    def search(self, request):
        stories = self.matching(request)
        total = stories.count()
        offset = (request.page - 1) * PER_PAGE
        page_stories = list(self.ranked(stories, request)[offset : offset + PER_PAGE])
        prefetch_cards(page_stories)
        hits = [Hit(story, highlight(story.dek or story.title, request.terms)) for story in page_stories]
        results = SearchResults(hits=hits, total=total, page=request.page)
        results.facets = {facet: self.facet_counts(facet, request) for facet in FACETS}
        results.dates = self.date_counts(request)
        if not total:
            results.suggestion = self.spelling_suggestion(request)
            results.popular_franchises = list(
                FranchiseTag.objects.with_story_counts().order_by("-story_count", "name")[:8]
            )
        return results

    def facet_counts(self, facet, request):
        stories = self.matching(request, skip_facet=facet).order_by().values("pk")
        selected = set(request.filters.get(facet, []))
        if facet == "franchise":
            rows = (
                ArticleFranchiseTag.objects.filter(content_object_id__in=stories)
                .order_by()
                .values_list("tag__slug", "tag__name")
                .annotate(count=Count("content_object_id"))
            )
        elif facet == "author":
            rows = (
                ArticleAuthor.objects.filter(page_id__in=stories)
                .order_by()
                .values_list("author__slug", "author__name")
                .annotate(count=Count("page_id"))
            )
        elif facet == "series":
            rows = (
                ArticlePage.objects.filter(pk__in=stories, series__isnull=False)
                .order_by()
                .values_list("series__slug", "series__title")
                .annotate(count=Count("pk"))
            )
        else:
            by_path = (
                ArticlePage.objects.filter(pk__in=stories)
                .order_by()
                .annotate(section_path=Substr("path", 1, Length("path") - Page.steplen))
                .values_list("section_path")
                .annotate(count=Count("pk"))
            )
            sections = {section.path: section for section in SectionPage.objects.filter(depth=3)}
            rows = [(sections[path].slug, sections[path].title, count) for path, count in by_path if path in sections]
        values = [FacetValue(slug, label, count, slug in selected) for slug, label, count in rows]
        values.sort(key=lambda item: (-item.count, item.label))
        shown = values[:FACET_SIZE]
        # A selected value stays visible even when it is not among the top counts.
        shown += [item for item in values[FACET_SIZE:] if item.selected]
        return shown

    def date_counts(self, request):
        stories = self.matching(request, skip_date=True).order_by()
        now = timezone.now()
        counts = stories.aggregate(
            **{name: Count("pk", filter=Q(first_published_at__gte=now - span)) for name, span in DATE_RANGES.items()}
        )
        labels = {"week": "Past week", "month": "Past month", "year": "Past year"}
        return [FacetValue(name, labels[name], counts[name], request.date == name) for name in DATE_RANGES]

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
