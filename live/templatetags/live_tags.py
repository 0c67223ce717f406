from django import template
from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from caching.page_cache import kept_for_readers
from live.banner import MARKER
from live.models import UPDATES_PER_PAGE, LiveCoverage

register = template.Library()

UPDATES_PARAM = "updates"


def updates_page(request, coverage):
    paginator = Paginator(coverage.updates.shown(), UPDATES_PER_PAGE)
    try:
        return paginator.page(request.GET.get(UPDATES_PARAM, 1))
    except (EmptyPage, PageNotAnInteger):
        return paginator.page(1)


@register.inclusion_tag("live/live_coverage.html", takes_context=True)
def live_coverage(context, page):
    """A live story's updates: key events, the pinned update, then the
    newest first, a page at a time; nothing for an ordinary story. Queried
    only when rendered: a cached fragment of the story costs nothing."""
    request = context["request"]
    coverage = LiveCoverage.objects.filter(page_id=page.pk).first()
    if coverage is None:
        return {"coverage": None}
    updates = updates_page(request, coverage)
    shown = coverage.updates.shown()
    return {
        "request": request,
        "page": page,
        "coverage": coverage,
        "updates": updates,
        "key_events": list(shown.filter(key_event=True)),
        "pinned": shown.filter(pinned=True).first() if updates.number == 1 else None,
        "structured_data": structured_data(request, page, coverage, updates.object_list),
        "poll_seconds": settings.LIVE_POLL_SECONDS,
    }


def structured_data(request, page, coverage, updates):
    """schema.org LiveBlogPosting, with the updates on this page of them."""
    story_url = page.get_full_url(request)
    data = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "headline": page.title[:110],
        "description": page.summary,
        "url": story_url,
        "datePublished": page.first_published_at,
        "dateModified": max([page.last_published_at, *[u.edited_at or u.posted_at for u in updates]], default=None),
        "coverageStartTime": coverage.starts_at,
        "liveBlogUpdate": [
            {
                "@type": "BlogPosting",
                "headline": (update.headline or strip_tags(str(update.body))[:110]).strip(),
                "datePublished": update.posted_at,
                "dateModified": update.edited_at or update.posted_at,
                "url": f"{story_url}#{update.anchor}",
                "articleBody": strip_tags(str(update.body)).strip(),
                "author": [{"@type": "Person", "name": author.name} for author in update.authors.all()],
            }
            for update in updates
        ],
    }
    if coverage.ends_at:
        data["coverageEndTime"] = coverage.ends_at
    return data


@register.inclusion_tag("live/live_now.html", takes_context=True)
def live_now(context, limit=4):
    """Live stories running now, for the home page; kept under the
    generation, which every change to live coverage starts anew."""

    def load():
        running = LiveCoverage.objects.visible_to_readers().running().order_by("-starts_at")
        return [(coverage.page.title, coverage.page.url) for coverage in running.select_related("page")[:limit]]

    return {"running": kept_for_readers(context.get("request"), "live-now", load)}


@register.simple_tag
def breaking_news():
    """Where the breaking-news banner goes; filled in on the way out (live.banner)."""
    return mark_safe(MARKER)
