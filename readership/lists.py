"""The most-read and trending lists readers see: worked out from the hourly
counts every few minutes (`READ_LISTS_SECONDS`) and whenever the page cache
starts a new generation (a publish, an unpublish, a restriction), so a
story that stops being public leaves them at once."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from caching.page_cache import kept_for_generation
from news.models import ArticlePage
from readership.models import StoryReadHour

MOST_READ = 5
TRENDING = 5
TRENDING_WINDOW = timedelta(hours=6)


def listed(ranked):
    """[{title, url}] for ranked (story id, figure) pairs, in their order;
    only live, public stories (`cards()` checks again)."""
    stories = {story.pk: story for story in ArticlePage.objects.cards().filter(pk__in=[pk for pk, _ in ranked])}
    return [{"title": stories[pk].title, "url": stories[pk].url} for pk, _ in ranked if pk in stories]


def most_read(section=None):
    """The stories read most in the last 24 hours, site-wide or in a section."""

    def load():
        stories = ArticlePage.objects.cards()
        if section is not None:
            stories = stories.child_of(section)
        since = timezone.now() - timedelta(hours=24)
        return listed(StoryReadHour.objects.totals(stories, since, MOST_READ))

    key = f"most-read:{section.pk if section is not None else 'site'}"
    return kept_for_generation(key, load, seconds=settings.READ_LISTS_SECONDS)


def trending(franchise):
    """A franchise's stories whose reads rose fastest: the last six hours
    against the six before."""

    def load():
        stories = ArticlePage.objects.cards().tagged_any([franchise.pk])
        return listed(StoryReadHour.objects.rising(stories, timezone.now(), TRENDING_WINDOW, TRENDING))

    return kept_for_generation(f"trending:{franchise.pk}", load, seconds=settings.READ_LISTS_SECONDS)
