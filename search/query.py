"""What a reader asked for, validated: query text, filters, sort and page."""

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

from django.utils import timezone

from search.synonyms import expand

MAX_QUERY_LENGTH = 200
MAX_PAGE = 500
FACETS = ("franchise", "series", "section", "author", "rating")
# The rating facet's values: a review's whole stars out of five (news.models.reviews.star_band).
STAR_BANDS = tuple(str(stars) for stars in range(6))
DATE_RANGES = {"week": timedelta(days=7), "month": timedelta(days=31), "year": timedelta(days=366)}
SORTS = ("relevance", "newest")


class BadSearchRequest(ValueError):
    """A parameter no reader could mean; shown as a 400 with this message."""


@dataclass
class SearchRequest:
    text: str = ""
    filters: dict = field(default_factory=dict)
    date: str = ""
    sort: str = "relevance"
    page: int = 1
    truncated: bool = False

    @property
    def terms(self):
        return [term for term in self.text.split() if any(ch.isalnum() for ch in term)][:12]

    @cached_property
    def concepts(self):
        """The terms with editors' synonyms expanded (see search.synonyms)."""
        return expand(self.terms)

    @property
    def highlight_terms(self):
        return [word for concept in self.concepts for phrase in concept for word in phrase.split()]

    @property
    def is_empty(self):
        return not self.terms and not any(self.filters.values()) and not self.date

    @property
    def published_since(self):
        return timezone.now() - DATE_RANGES[self.date] if self.date else None

    def params(self, **changes):
        """Query-string pairs for a link to this search with some changes."""
        values = {"q": self.text, "sort": self.sort, "date": self.date, **dict(self.filters)}
        values.update(changes)
        pairs = []
        for key in ("q", *FACETS, "date", "sort"):
            value = values.get(key)
            if key == "sort" and value == "relevance":
                continue
            for item in value if isinstance(value, list | tuple) else [value]:
                if item:
                    pairs.append((key, item))
        return pairs


def clean_text(value):
    # NUL and other control characters cannot be stored or searched.
    return "".join(ch for ch in value if ch.isprintable() or ch == " ").strip()


def parse(query_dict):
    raw = clean_text(query_dict.get("q", ""))
    text = " ".join(raw.split())
    truncated = len(text) > MAX_QUERY_LENGTH
    text = text[:MAX_QUERY_LENGTH]

    sort = query_dict.get("sort") or "relevance"
    if sort not in SORTS:
        raise BadSearchRequest("Sort by relevance or newest.")
    date = query_dict.get("date") or ""
    if date and date not in DATE_RANGES:
        raise BadSearchRequest("The date filter is past week, month or year.")
    raw_page = query_dict.get("page") or "1"
    if not raw_page.isdigit() or not 1 <= int(raw_page) <= MAX_PAGE:
        raise BadSearchRequest(f"Page numbers run from 1 to {MAX_PAGE}.")
    filters = {}
    for facet in FACETS:
        values = [clean_text(value)[:100] for value in query_dict.getlist(facet)][:20]
        filters[facet] = sorted({value for value in values if value})
    if any(value not in STAR_BANDS for value in filters["rating"]):
        raise BadSearchRequest("The rating filter runs from 0 (half a star) to 5 stars.")
    return SearchRequest(text=text, filters=filters, date=date, sort=sort, page=int(raw_page), truncated=truncated)
