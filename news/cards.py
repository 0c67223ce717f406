"""Story cards, rendered once per version of what they show.

A listing shows a dozen or more cards. Rendering them (a picture element, a
byline, a kicker) and loading their renditions and bylines is most of what a
cold listing costs, and a publish purges every listing. A purged listing
still shows the same cards but one, so each card is kept in the cache on its
own, under a key made of everything it shows:

- what is on the story's own row (`CARD_FIELDS`: headline, standfirst,
  image, dates, address, series) and the values other apps annotate (a
  comment count, say), read by the listing's one lean query (`card_rows()`);
  a publish, a move or a new comment changes the key of that story's card
  and of no other;
- a version of what lives elsewhere (authors' names, images, the section's
  and the series hub's titles, view restrictions), which changes whenever one
  of those is saved, published, moved or deleted (`news.apps`);
- the card template itself, so a deploy never serves the old markup.

A listing fetches all its cards in one `get_many`; only the misses load their
relations (`load_card_pages`) and render. Previews, and sites without fragment
caching, render every card fresh.
"""

import hashlib
from functools import lru_cache

from django.core.cache import cache
from django.db.models import Prefetch
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from wagtail.models import Page

from caching.page_cache import fragment_cache_enabled, new_shared_token, shared_token
from news.models.article import (
    CARD_ANNOTATIONS,
    CARD_FIELDS,
    ArticleAuthor,
    card_prefetches,
    franchise_tags_prefetch,
    load_card_pages,
    story_pk,
)

CARD_TEMPLATE = "news/includes/article_card.html"
VERSION_KEY = "story-cards:version"
CARD_SECONDS = 7 * 24 * 60 * 60


def card_template():
    # Django's cached loader keeps it in production; in development an edit shows at once.
    return get_template(CARD_TEMPLATE)


@lru_cache(maxsize=8)
def source_digest(source):
    return hashlib.sha256(source.encode()).hexdigest()[:12]


def card_version():
    return shared_token(VERSION_KEY)


def new_card_version(**kwargs):
    """Every card is stale from now on. Takes signal arguments."""
    new_shared_token(VERSION_KEY)


def story_key(row, kind, request, version):
    parts = [
        *(row[name] for name in CARD_FIELDS),
        *(row.get(name) for name in CARD_ANNOTATIONS),
        kind,
        request.get_host(),
        version,
    ]
    return f"story-part:{hashlib.sha256(repr(parts).encode()).hexdigest()}"


def row_of(story):
    if isinstance(story, dict):
        return story
    return {name: getattr(story, name, None) for name in (*CARD_FIELDS, *CARD_ANNOTATIONS)}


def kept_per_story(request, stories, kind, build, prefetches):
    """`build(pages)`, a `{pk: value}` for `stories` (pages, or rows from
    `card_rows()`), each value kept under its story's key for `kind`; only
    the misses are loaded (with `prefetches`) and built."""
    if not fragment_cache_enabled(request):
        return build(load_card_pages(stories, prefetches))
    # The card template's own text is part of the version: a deploy that
    # changes it never serves the old markup.
    version = (card_version(), source_digest(card_template().template.source))
    keys = {story_pk(story): story_key(row_of(story), kind, request, version) for story in stories}
    found = cache.get_many(list(keys.values()))
    missing = [story for story in stories if keys[story_pk(story)] not in found]
    if missing:
        built = {keys[pk]: value for pk, value in build(load_card_pages(missing, prefetches)).items()}
        cache.set_many(built, CARD_SECONDS)
        found.update(built)
    return {pk: found[key] for pk, key in keys.items() if key in found}


def render_cards(request, stories, lead=False):
    """The cards of `stories`, in order, as one safe string."""
    stories = list(stories)
    if not stories:
        return ""
    template = card_template()
    cards = kept_per_story(
        request,
        stories,
        f"card:{lead}",
        lambda pages: {page.pk: template.render({"story": page, "lead": lead, "request": request}) for page in pages},
        card_prefetches(),
    )
    return mark_safe("".join(cards.get(story_pk(story), "") for story in stories))


def story_summaries(request, stories):
    """`{pk: summary}`: what a search result or a feed item shows of each
    story, as plain values, kept like cards."""
    stories = list(stories)
    if not stories:
        return {}

    def build(pages):
        return summaries_of(pages, request)

    return kept_per_story(request, stories, "summary", build, summary_prefetches())


def summary_prefetches():
    bylines = Prefetch("article_authors", queryset=ArticleAuthor.objects.select_related("author"))
    return (bylines, franchise_tags_prefetch())


def summaries_of(stories, request):
    parent_paths = {story.path[: -story.steplen] for story in stories}
    sections = dict(Page.objects.filter(path__in=parent_paths).values_list("path", "title"))
    return {story.pk: summary_of(story, sections.get(story.path[: -story.steplen], ""), request) for story in stories}


def summary_of(story, section, request):
    return {
        "pk": story.pk,
        "title": story.title,
        "url": story.get_url(request),
        "summary": story.summary,
        "section": section,
        "series": story.series.title if story.series_id else "",
        "display_date": story.display_date,
        "first_published_at": story.first_published_at,
        "last_published_at": story.last_published_at,
        "authors": story.byline_names,
        "tags": [tag.name for tag in story.franchise_tag_list],
    }
