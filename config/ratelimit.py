"""Counting attempts per key in the shared cache, for the public forms."""

from django.core.cache import cache


def client_ip(request):
    # Behind the proxy the app is deployed with, REMOTE_ADDR is set by it.
    return request.META.get("REMOTE_ADDR") or None


def count_attempt(key, window_seconds):
    """Count one attempt for `key` in a window that starts with the first; returns the count."""
    if cache.add(key, 1, window_seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window_seconds)
        return 1


def over_limit(key, limit, window_seconds):
    """Count one attempt for `key`; true once it has more than `limit` in the window."""
    return count_attempt(f"ratelimit:{key}", window_seconds) > limit
