"""The cache speeds pages up; a Redis outage must cost speed, not pages.

Reads during an outage are misses and writes are dropped (logged), so
publishing, reading and the rate limits (which then let requests through)
carry on while Redis is away.
"""

import functools
import logging

from django.core.cache.backends.redis import RedisCache

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)


def survives_outage(fallback):
    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except OUTAGE as exc:
                logger.warning("Cache unavailable for %s: %s", method.__name__, exc)
                return fallback(*args, **kwargs) if callable(fallback) else fallback

        return wrapper

    return decorate


def _missing_counter(*args, **kwargs):
    raise ValueError("cache unavailable")  # what incr() raises for a missing key


class ResilientRedisCache(RedisCache):
    get = survives_outage(lambda key, default=None, version=None: default)(RedisCache.get)
    get_many = survives_outage({})(RedisCache.get_many)
    has_key = survives_outage(False)(RedisCache.has_key)
    set = survives_outage(None)(RedisCache.set)
    set_many = survives_outage(lambda data, *args, **kwargs: list(data))(RedisCache.set_many)
    add = survives_outage(False)(RedisCache.add)
    touch = survives_outage(False)(RedisCache.touch)
    delete = survives_outage(False)(RedisCache.delete)
    delete_many = survives_outage(None)(RedisCache.delete_many)
    incr = survives_outage(_missing_counter)(RedisCache.incr)
    clear = survives_outage(False)(RedisCache.clear)
