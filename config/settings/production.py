"""Production: everything from the environment. A production site never
falls back to the embedded defaults (SQLite, a per-process cache, the
filesystem broker, mail written to files): it refuses to start, naming every
variable that is missing, rather than run half-configured."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.env import (
    REQUIRED_ENVIRONMENT,
    env_bool,
    env_int,
    env_list,
    env_str,
    missing_production_environment,
)

from .base import *  # noqa: F403

_missing = missing_production_environment()
if RELEASE_ID == "unreleased":  # neither the variable nor a git checkout
    _missing.append("RELEASE_ID")
if _missing:
    raise ImproperlyConfigured(
        "Production settings refuse to start without these environment variables:\n"
        + "\n".join(f"  {name}: {REQUIRED_ENVIRONMENT[name]}" for name in _missing)
    )

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

# TLS ends at the load balancer or proxy in front of gunicorn.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", DEFAULT_FROM_EMAIL)

# Mixed content on an HTTPS page is fetched over HTTPS or not at all.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True
