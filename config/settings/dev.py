"""Local development: `make run`. Debug on, everything embedded unless the
environment names a real service."""

from config.settings.env import env_bool, env_int

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
INTERNAL_IPS = ["127.0.0.1"]

DEMO_CONTENT_ALLOWED = True
# Templates change under a developer's hands: no page cache unless asked for.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 0)
FRAGMENT_CACHE_SECONDS = env_int("FRAGMENT_CACHE_SECONDS", 0)
