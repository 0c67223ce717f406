from datetime import timedelta

from django.utils import timezone

from celery import shared_task

from readership.counter import REDIS_DOWN, read_counts
from readership.models import ReadRollup, StoryReadHour

# Read counts older than this are dropped: the lists and charts look back a week.
KEEP_COUNTS_DAYS = 90


@shared_task(name="readership.tasks.roll_up_reads", autoretry_for=REDIS_DOWN, retry_backoff=True, max_retries=3)
def roll_up_reads():
    """Move the reads Redis counted to the database (each batch once; safe
    to repeat), and drop what is too old to show."""
    moved = read_counts().roll_up()
    now = timezone.now()
    StoryReadHour.objects.filter(hour__lt=now - timedelta(days=KEEP_COUNTS_DAYS)).delete()
    # A batch id only matters until its Redis key is deleted, seconds later.
    ReadRollup.objects.filter(rolled_at__lt=now - timedelta(days=1)).delete()
    return moved
