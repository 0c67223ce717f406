from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from celery import shared_task

from live.models import LiveCoverage
from live.purges import purge_live_story


@shared_task(name="live.tasks.refresh_live_status")
def refresh_live_status():
    """A live story turns from upcoming to live, and from live to ended, by
    the clock, which no save announces: purge the stories (and the "live
    now" listings) whose start or end passed since the last sweeps. The
    window spans two sweeps, so a late or missed run is caught up; purging
    twice is harmless."""
    now = timezone.now()
    since = now - timedelta(seconds=2 * settings.BEAT_SWEEP_SECONDS)
    passed = Q(starts_at__gt=since, starts_at__lte=now) | Q(ends_at__gt=since, ends_at__lte=now)
    changed = list(LiveCoverage.objects.filter(passed))
    for coverage in changed:
        purge_live_story(sender=LiveCoverage, instance=coverage)
    return len(changed)
