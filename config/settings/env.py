"""Typed readers for settings that come from the environment.

Kept tiny on purpose: dj-database-url parses DATABASE_URL; everything else is
a string, a boolean or a list, and a missing required value must fail loudly.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}

# What production needs, and what each is for (config/settings/production.py
# refuses to start without them). EMAIL_BACKEND is the one documented way
# round a variable: naming a mail backend explicitly (an email service's own
# Django backend, say) stands in for EMAIL_HOST.
REQUIRED_ENVIRONMENT = {
    "SECRET_KEY": "signs sessions and tokens",
    "ALLOWED_HOSTS": "the site's hostnames",
    "WAGTAILADMIN_BASE_URL": "the address in links that emails carry",
    "DATABASE_URL": "PostgreSQL, e.g. postgres://user:password@host:5432/talkies",
    "CACHE_URL": "Redis for the cache, e.g. redis://host:6379/1",
    "CELERY_BROKER_URL": "Redis for Celery, e.g. redis://host:6379/0",
    "EMAIL_HOST": "the SMTP relay (or set EMAIL_BACKEND to choose another mail backend)",
    "RELEASE_ID": "the release being run (the Docker image sets it at build time; a git checkout uses its commit)",
}
EXPLICIT_ALTERNATIVES = {"EMAIL_HOST": "EMAIL_BACKEND"}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in TRUE_VALUES


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value in (None, ""):
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def git_commit(checkout) -> str | None:
    """The commit a git checkout is at, read from .git without running git
    (none in the Docker image, where RELEASE_ID is set at build time)."""
    git = Path(checkout) / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head[:12] or None
        ref = head[5:]
        if (git / ref).exists():
            return (git / ref).read_text().strip()[:12] or None
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(f" {ref}"):
                return line.split(" ", 1)[0][:12]
    except OSError:
        return None
    return None


def missing_production_environment() -> list[str]:
    """The required variables that are unset (RELEASE_ID is checked by the
    settings, which may read it from a git checkout instead)."""
    return [
        name
        for name in REQUIRED_ENVIRONMENT
        if name != "RELEASE_ID"
        and not env_str(name)
        and not (name in EXPLICIT_ALTERNATIVES and env_str(EXPLICIT_ALTERNATIVES[name]))
    ]
