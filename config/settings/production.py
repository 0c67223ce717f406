"""Production: everything from the environment, and fail fast on a missing
secret rather than run with an invented one."""

from config.env import env_bool, env_int, env_list, env_required, env_str

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env_required("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    env_required("ALLOWED_HOSTS")

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

WAGTAILADMIN_BASE_URL = env_required("WAGTAILADMIN_BASE_URL")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", DEFAULT_FROM_EMAIL)

# Mixed content on an HTTPS page is fetched over HTTPS or not at all.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True
