"""Local development: `make run`. Debug on, everything embedded unless the
environment names a real service."""

from config.env import env_bool

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
INTERNAL_IPS = ["127.0.0.1"]

DEMO_CONTENT_ALLOWED = True
