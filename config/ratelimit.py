"""Counting attempts per key in the shared cache, for the public forms."""

from django.core.cache import cache


def client_ip(request):
    # Behind the proxy the app is deployed with, REMOTE_ADDR is set by it.
    return request.META.get("REMOTE_ADDR") or None


def over_limit(key, limit, window_seconds):
    """Count one attempt for `key`; true once it has more than `limit` in the window."""
    key = f"ratelimit:{key}"
    cache.add(key, 0, window_seconds)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window_seconds)
        attempts = 1
    return attempts > limit
