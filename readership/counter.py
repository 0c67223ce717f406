"""Counting story reads without knowing readers.

A read is counted once per reader per story per day. "The same reader" is a
keyed hash of the client's address, its user agent and the story, under a
salt made at random for the day and kept only in memory (Redis, with the
counts; in the embedded default, the web process): nothing that identifies
a reader is ever stored, and once the day's salt is gone nobody, us
included, can tell whose hash a stored one was. No cookie is set or read.

With Redis (`READ_COUNTS_REDIS_URL`, by default the cache's), a beacon is
one Redis call: a Lua script sets the reader's key for the day if it is new
and, only then, adds one to the story's count for the hour. Beat's roll-up
(`roll_up`) moves the hour counts to the database, so counts survive a
Redis restart; what a Redis restart loses is the reads since the last
roll-up (a minute at most). Without Redis, the web process keeps the salt
and the reader keys, and adds each read to the database at once.
"""

import functools
import hashlib
import logging
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils.crypto import constant_time_compare, salted_hmac

import redis
from crawlerdetect import CrawlerDetect

from news.models import ArticlePage
from readership.models import ReadRollup, StoryReadHour
from throttling.client import client_address

logger = logging.getLogger(__name__)

PREFIX = "readership"
PENDING = f"{PREFIX}:pending"
# Hour counts live until rolled up; this only bounds what an idle site keeps.
HOUR_KEY_SECONDS = 3 * 24 * 60 * 60
REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)

COUNT_ONCE = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
  redis.call('EXPIRE', KEYS[2], ARGV[3])
  redis.call('SADD', KEYS[3], KEYS[2])
  redis.call('EXPIRE', KEYS[3], ARGV[3])
  return 1
end
return 0
"""


def beacon_token(page_id):
    """What a story's page puts in its beacon address: a forged or guessed
    story id is refused without a database query."""
    return salted_hmac("readership.beacon", str(page_id)).hexdigest()[:20]


def is_valid_token(page_id, token):
    return constant_time_compare(beacon_token(page_id), token)


@functools.lru_cache(maxsize=1)
def crawler_detect():
    return CrawlerDetect()


@functools.lru_cache(maxsize=2048)
def is_bot(user_agent):
    """Known crawlers, monitors and preview fetchers (CrawlerDetect's list),
    and clients that send no user agent at all."""
    return not user_agent or crawler_detect().isCrawler(user_agent)


def utc_now():
    return datetime.now(UTC)


def seconds_left_in_day(now):
    tomorrow = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((tomorrow - now).total_seconds()))


def reader_key(salt, address, user_agent, page_id):
    digest = hashlib.blake2b(f"{address}\n{user_agent}\n{page_id}".encode(), key=salt, digest_size=16)
    return digest.hexdigest()


@functools.lru_cache(maxsize=4)
def redis_client(url):
    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)


def read_counts():
    """Where reads are counted: Redis when there is one, else the database."""
    if settings.READ_COUNTS_REDIS_URL:
        return RedisReadCounts(redis_client(settings.READ_COUNTS_REDIS_URL), settings.READ_COUNTS_REDIS_URL)
    return DatabaseReadCounts()


class DatabaseReadCounts:
    """The embedded default: the web process keeps the day's salt and the
    reader keys (the local-memory cache); each read is added at once."""

    salts = {}

    def salt(self, day):
        if day not in self.salts:
            self.salts.clear()
            self.salts[day] = secrets.token_bytes(32)
        return self.salts[day]

    def count(self, address, user_agent, page_id, now=None):
        now = now or utc_now()
        key = reader_key(self.salt(now.date()), address, user_agent, page_id)
        if not cache.add(f"{PREFIX}:seen:{now:%Y%m%d}:{key}", 1, seconds_left_in_day(now)):
            return False
        add_reads(now, {page_id: 1})
        return True

    def roll_up(self):
        return 0


class RedisReadCounts:
    # The day's salt, read once per process and Redis.
    salts = {}

    def __init__(self, client, url):
        self.client = client
        self.url = url

    def salt(self, now):
        """The day's salt, made by whichever process needs it first."""
        day = (self.url, f"{now:%Y%m%d}")
        if day not in self.salts:
            key = f"{PREFIX}:salt:{day[1]}"
            # Kept a little past midnight for beacons of pages opened before it.
            made = secrets.token_bytes(32)
            self.client.set(key, made, nx=True, ex=seconds_left_in_day(now) + 3600)
            self.salts.clear()
            self.salts[day] = self.client.get(key) or made
        return self.salts[day]

    def count(self, address, user_agent, page_id, now=None):
        now = now or utc_now()
        key = reader_key(self.salt(now), address, user_agent, page_id)
        counted = self.client.eval(
            COUNT_ONCE,
            3,
            f"{PREFIX}:seen:{now:%Y%m%d}:{key}",
            f"{PREFIX}:hour:{now:%Y%m%d%H}",
            PENDING,
            seconds_left_in_day(now),
            page_id,
            HOUR_KEY_SECONDS,
        )
        return bool(counted)

    def roll_up(self):
        """Move every hour's counts to the database, each batch once. Safe
        to repeat, and to run twice at once."""
        for hour_key in self.client.smembers(PENDING):
            hour_key = hour_key.decode()
            # Unmarked first: a beacon after this marks the hour again.
            self.client.srem(PENDING, hour_key)
            try:
                self.client.rename(hour_key, f"{PREFIX}:rolling:{hour_key.rsplit(':', 1)[1]}:{uuid.uuid4().hex}")
            except redis.exceptions.ResponseError:
                continue  # rolled up by another run already
        moved = 0
        # Batches left by a run that died are picked up here too.
        for batch_key in self.client.scan_iter(match=f"{PREFIX}:rolling:*", count=500):
            batch_key = batch_key.decode()
            hour = datetime.strptime(batch_key.split(":")[2], "%Y%m%d%H").replace(tzinfo=UTC)
            counts = {int(page): int(reads) for page, reads in self.client.hgetall(batch_key).items()}
            try:
                with transaction.atomic():
                    ReadRollup.objects.create(batch=batch_key)
                    add_reads(hour, counts)
            except IntegrityError:
                pass  # this batch was added before its key could be deleted
            else:
                moved += sum(counts.values())
            self.client.delete(batch_key)
        return moved


def add_reads(moment, counts):
    """Add reads to the stories' counts for the hour of `moment`, in one statement."""
    hour = moment.replace(minute=0, second=0, microsecond=0)
    known = set(ArticlePage.objects.filter(pk__in=list(counts)).values_list("pk", flat=True))
    rows = [(page_id, hour, reads) for page_id, reads in counts.items() if page_id in known and reads > 0]
    if not rows:
        return
    table = connection.ops.quote_name(StoryReadHour._meta.db_table)
    values = ", ".join(["(%s, %s, %s)"] * len(rows))
    hour = connection.ops.adapt_datetimefield_value(hour)
    params = [value for page_id, _, reads in rows for value in (page_id, hour, reads)]
    with connection.cursor() as cursor:
        # Both databases have this upsert (PostgreSQL 9.5+, SQLite 3.24+).
        cursor.execute(
            f"INSERT INTO {table} (page_id, hour, reads) VALUES {values} "
            "ON CONFLICT (page_id, hour) DO UPDATE SET reads = "
            f"{table}.reads + excluded.reads",
            params,
        )


def count_read(request, page_id, now=None):
    """Count this request's read of the story; False when it was not
    counted (a bot, a reader already counted today, Redis away)."""
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:512]
    if is_bot(user_agent):
        return False
    address = client_address(request) or ""
    try:
        return read_counts().count(address, user_agent, page_id, now=now)
    except REDIS_DOWN:
        # A read is not worth an error page or a wait: it goes uncounted.
        logger.warning("Read not counted: Redis is unreachable")
        return False
