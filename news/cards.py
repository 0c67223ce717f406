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
relations (`prefetch_cards`) and render. Previews, and sites without fragment
caching, render every card fresh.
"""

import hashlib
from functools import lru_cache

from django.core.cache import cache
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from caching.page_cache import fragment_cache_enabled, new_shared_token, shared_token
from news.models.article import CARD_ANNOTATIONS, CARD_FIELDS, ArticlePage, prefetch_cards

CARD_TEMPLATE = "news/includes/article_card.html"
VERSION_KEY = "story-cards:version"
CARD_SECONDS = 7 * 24 * 60 * 60


@lru_cache
def card_template():
    template = get_template(CARD_TEMPLATE)
    return template, hashlib.sha256(template.template.source.encode()).hexdigest()[:12]


def card_version():
    return shared_token(VERSION_KEY)


def new_card_version(**kwargs):
    """Every card is stale from now on. Takes signal arguments."""
    new_shared_token(VERSION_KEY)


def card_key(row, lead, request, version):
    parts = [
        *(row[name] for name in CARD_FIELDS),
        *(row.get(name) for name in CARD_ANNOTATIONS),
        lead,
        request.get_host(),
        version,
        card_template()[1],
    ]
    return f"story-card:{hashlib.sha256(repr(parts).encode()).hexdigest()}"


def row_of(story):
    if isinstance(story, dict):
        return story
    return {name: getattr(story, name, None) for name in (*CARD_FIELDS, *CARD_ANNOTATIONS)}


def load_stories(rows):
    """The pages behind `rows` (instances pass through), with what their
    cards show, in one query per relation."""
    wanted = [row["pk"] for row in rows if isinstance(row, dict)]
    loaded = {story.pk: story for story in ArticlePage.objects.cards().filter(pk__in=wanted)} if wanted else {}
    stories = [loaded.get(row["pk"]) if isinstance(row, dict) else row for row in rows]
    # A story unpublished between the two queries is left out.
    stories = [story for story in stories if story is not None]
    prefetch_cards(stories)
    return stories


def render_card(story, lead, request):
    return card_template()[0].render({"story": story, "lead": lead, "request": request})


def render_cards(request, stories, lead=False):
    """The cards of `stories` (pages, or rows from `card_rows()`), in order,
    as one safe string."""
    stories = list(stories)
    if not stories:
        return ""
    if not fragment_cache_enabled(request):
        return mark_safe("".join(render_card(story, lead, request) for story in load_stories(stories)))
    version = card_version()
    keys = {story_pk(story): card_key(row_of(story), lead, request, version) for story in stories}
    found = cache.get_many(list(keys.values()))
    missing = [story for story in stories if keys[story_pk(story)] not in found]
    if missing:
        rendered = {keys[story.pk]: render_card(story, lead, request) for story in load_stories(missing)}
        cache.set_many(rendered, CARD_SECONDS)
        found.update(rendered)
    return mark_safe("".join(found.get(key, "") for key in keys.values()))


def story_pk(story):
    return story["pk"] if isinstance(story, dict) else story.pk
