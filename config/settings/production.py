"""Production: everything from the environment. A production site never
falls back to the embedded defaults (SQLite, a per-process cache, the
filesystem broker, mail written to files): it refuses to start, naming every
variable that is missing, rather than run half-configured."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

from .base import *  # noqa: F403

# What production needs, and what each is for. EMAIL_BACKEND is the one
# documented way round a variable: naming a mail backend explicitly (say,
# an email service's own Django backend) stands in for EMAIL_HOST.
REQUIRED_ENVIRONMENT = {
    "SECRET_KEY": "signs sessions and tokens",
    "ALLOWED_HOSTS": "the site's hostnames",
    "WAGTAILADMIN_BASE_URL": "the address in links that emails carry",
    "DATABASE_URL": "PostgreSQL, e.g. postgres://user:password@host:5432/talkies",
    "CACHE_URL": "Redis for the cache, e.g. redis://host:6379/1",
    "CELERY_BROKER_URL": "Redis for Celery, e.g. redis://host:6379/0",
    "EMAIL_HOST": "the SMTP relay (or set EMAIL_BACKEND to choose another mail backend)",
}
_explicit_alternatives = {"EMAIL_HOST": "EMAIL_BACKEND"}
_missing = [
    name
    for name in REQUIRED_ENVIRONMENT
    if not env_str(name) and not (name in _explicit_alternatives and env_str(_explicit_alternatives[name]))
]
if RELEASE_ID == "unreleased":
    REQUIRED_ENVIRONMENT["RELEASE_ID"] = "the release being run (the Docker image sets it at build time)"
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
