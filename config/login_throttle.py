"""Slows down password guessing on the admin login.

Failed logins are counted per client address and per username for
ADMIN_LOGIN_WINDOW_SECONDS; past ADMIN_LOGIN_FAILURE_LIMIT further attempts,
right or wrong, get a 429 until the window passes. Counting failures (not
attempts) keeps editors who mistype once unaffected, and the per-username
count stops a guesser who rotates addresses.
"""

import hashlib

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.shortcuts import render
from django.urls import reverse

from config.ratelimit import count_attempt


def _keys(request, username):
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    # Hashed: the cache holds no readable usernames or addresses.
    digest = hashlib.sha256(f"{(username or '').strip().lower()}".encode()).hexdigest()[:32]
    return [f"login-failures:ip:{address}", f"login-failures:user:{digest}"]


def _failures(key):
    return cache.get(key, 0)


@receiver(user_login_failed, dispatch_uid="talkies_count_login_failures")
def count_login_failure(sender, credentials, request=None, **kwargs):
    window = settings.ADMIN_LOGIN_WINDOW_SECONDS
    for key in _keys(request, credentials.get("username")):
        count_attempt(key, window)


class AdminLoginThrottleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path == reverse("wagtailadmin_login"):
            limit = settings.ADMIN_LOGIN_FAILURE_LIMIT
            if any(_failures(key) >= limit for key in _keys(request, request.POST.get("username"))):
                minutes = settings.ADMIN_LOGIN_WINDOW_SECONDS // 60
                return render(request, "429.html", {"minutes": minutes}, status=429)
        return self.get_response(request)
