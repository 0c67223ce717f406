"""Settings shared by every environment.

Every secret and service address comes from the environment. With none set,
Talkies runs embedded: SQLite, Wagtail's database search backend, a
filesystem Celery broker and email written to files under ``var/``.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF

from config.settings.env import env_bool, env_int, env_list, env_str, git_commit

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Runtime state of the embedded defaults (SQLite file, broker queue, mail,
# beat schedule) lives here, out of the source tree and out of git.
VAR_DIR = Path(env_str("TALKIES_VAR_DIR", str(BASE_DIR / "var")))

# The release being run: the Docker image's build argument, else the git
# checkout's commit. Every cache key carries it, so a new release never reads
# what an old one wrote (pickled pages, sites and settings of older code).
RELEASE_ID = env_str("RELEASE_ID") or git_commit(BASE_DIR) or "unreleased"

SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-never-use-in-production")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Talkies' own apps come last: their ready() replaces some of Wagtail's
# signal handlers (the synchronous moderation emails), which must exist first.
INSTALLED_APPS = [
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.frontend_cache",
    "wagtail.contrib.search_promotions",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v2",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "rest_framework",
    "storages",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "axes",
    "django_ratelimit",
    "throttling",
    "caching",
    "operations",
    "home",
    "news",
    "editorial",
    "comments",
    "live",
    "search",
    "alerts",
    "readership",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the page cache, so that cached pages get the header too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Before the page cache: fills the banner into cached pages too.
    "live.banner.BreakingNewsMiddleware",
    "caching.page_cache.ReaderPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "caching.site.ReaderSiteMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the 429 page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out address or username before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
# The editors' admin lives under a path of the operator's choosing, so that
# scanners probing /admin/ find nothing.
WAGTAIL_ADMIN_PATH = env_str("WAGTAIL_ADMIN_PATH", "admin").strip("/")
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'talkies.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles any query it estimates as expensive: 40 ms of
    # compilation for a 60 ms search. Short web queries never win it back.
    # random_page_cost 1.1 (for SSDs and a working set in memory, instead of
    # spinning disks' 4) lets the planner use the search GIN index for a
    # word in 15% of 20,000 stories: 3.5 ms instead of a 20 ms scan.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off -c random_page_cost=1.1"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one SQLite file in the embedded setup: WAL
    # lets readers carry on while a writer commits, IMMEDIATE transactions
    # avoid "database is locked" upgrades, and the timeout waits out the rest.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------
CACHE_URL = env_str("CACHE_URL")
CACHE_KEY_PREFIX = f"talkies:{RELEASE_ID}"
# While Redis is unreachable, how long every cache call is a miss before one
# call tries it again (caching/backends.py).
CACHE_RETRY_SECONDS = env_int("CACHE_RETRY_SECONDS", 5)
if CACHE_URL:
    _redis_cache = {
        "BACKEND": "caching.backends.ResilientRedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": CACHE_KEY_PREFIX,
        "TIMEOUT": 300,
        # A dead Redis is noticed in a second, not after the OS's timeout.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
    }
    CACHES = {"default": _redis_cache, "heartbeats": _redis_cache}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "talkies",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        },
        # Web, worker and beat are separate processes: their heartbeats meet
        # in files when there is no Redis.
        "heartbeats": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "heartbeats"),
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        },
    }

# An HTTP cache in front of the app (Varnish with config/varnish.vcl), purged
# on publish, unpublish, move and correction. Unset: nothing to purge.
VARNISH_URL = env_str("VARNISH_URL")
WAGTAILFRONTENDCACHE = (
    {"varnish": {"BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend", "LOCATION": VARNISH_URL}}
    if VARNISH_URL
    else {}
)

# --- Client addresses, rate limits and sign-in lockouts (throttling/) ----
# The proxies in front of Django (Varnish, a load balancer): addresses or
# networks, comma-separated. Only a request from one of them has its
# X-Forwarded-For read; empty, every client is its own TCP peer.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
# django-ratelimit keys the reader forms' limits on the same client address.
RATELIMIT_IP_META_KEY = "throttling.client.client_address"
RATELIMIT_USE_CACHE = "default"
# A Redis outage costs no reader a form: the limits let requests through.
RATELIMIT_FAIL_OPEN = True
# Admin sign-in (django-axes): after this many failures from one address, or
# for one username, that address or username waits AXES_COOLOFF_TIME; a
# superuser can unlock it sooner under Settings > Sign-in lockouts.
AXES_FAILURE_LIMIT = env_int("ADMIN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_CLIENT_IP_CALLABLE = "throttling.client.client_address"
AXES_LOCKOUT_CALLABLE = "throttling.views.lockout_response"
AXES_RESET_ON_SUCCESS = True
# The failures live in the database (axes' default handler): a Redis outage
# neither unlocks a guesser nor locks out an editor.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Each failed sign-in is counted, not each editor's successful one.
AXES_DISABLE_ACCESS_LOG = True
SILENCED_SYSTEM_CHECKS = [
    # django-ratelimit knows Django's own RedisCache, not our subclass of it
    # (caching/backends.py), which keeps its atomic incr.
    "django_ratelimit.W001",
]
if not CACHE_URL:
    # The embedded default is one process per role on one machine: the web
    # process's own memory holds its counters. Production refuses to start
    # without CACHE_URL (config/settings/production.py).
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")

# Reader comments: closed on stories older than this many days (0: never);
# a per-IP limit; the least time a person takes to write one; links allowed.
COMMENTS_CLOSE_AFTER_DAYS = env_int("COMMENTS_CLOSE_AFTER_DAYS", 0)
COMMENT_RATE_LIMIT = env_int("COMMENT_RATE_LIMIT", 5)
COMMENT_RATE_WINDOW_SECONDS = 600
COMMENT_MIN_SECONDS = 3
COMMENT_MAX_LINKS = 2
COMMENTS_PER_PAGE = 20
# An Akismet-compatible spam service; without a key the project's own rules decide.
AKISMET_API_KEY = env_str("AKISMET_API_KEY", "")
AKISMET_URL = env_str("AKISMET_URL", "https://rest.akismet.com/1.1/comment-check")

# `make bench` only: a trivial view at /__bench__/trivial measuring the
# machine's ceiling for Django itself. Never set in production.
BENCH_ENDPOINTS = env_bool("TALKIES_BENCH_ENDPOINTS", False)

# Anonymous reader pages are cached whole for this long (0 turns it off) and
# purged on every change readers could see: see caching/page_cache.py.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
# Reader-page fragments (a story's body, byline, related stories) are cached
# under the same generation, so that a page-cache miss renders fast too.
FRAGMENT_CACHE_SECONDS = env_int("FRAGMENT_CACHE_SECONDS", PAGE_CACHE_SECONDS)
# The database search's results for one exact search are kept this long
# under the same generation (0: every search runs the query).
SEARCH_RESULTS_SECONDS = env_int("SEARCH_RESULTS_SECONDS", 60)
# With a per-process cache, processes share the cache generation through a file.
PAGE_CACHE_GENERATION_FILE = None if CACHE_URL else str(VAR_DIR / "page-cache-generation")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------
STATICFILES_DIRS = [BASE_DIR / "site" / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "static_collected")))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = env_str("MEDIA_URL", "/media/")
# Without object storage, a single-machine deployment may let Django serve
# uploaded media itself; behind several web nodes use S3 storage instead.
SERVE_MEDIA = env_bool("SERVE_MEDIA", False)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Several web nodes must share one media store: any S3-compatible object
# storage (AWS, MinIO, R2, ...) is switched on by naming its bucket.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL"),
            "region_name": env_str("AWS_S3_REGION_NAME"),
            "custom_domain": env_str("AWS_S3_CUSTOM_DOMAIN"),
            "access_key": env_str("AWS_ACCESS_KEY_ID"),
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY"),
            "file_overwrite": False,
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", False),
            "default_acl": None,
        },
    }

# --- Email ----------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Talkies <newsroom@talkies.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "operations.mail.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# --- Search ---------------------------------------------------------------
ELASTICSEARCH_URL = env_str("ELASTICSEARCH_URL")
# For newsrooms on a managed OpenSearch: used when ELASTICSEARCH_URL is unset.
OPENSEARCH_URL = env_str("OPENSEARCH_URL")
# Prefixes every index name, so that several sites can share one cluster.
ELASTICSEARCH_INDEX_PREFIX = env_str("ELASTICSEARCH_INDEX_PREFIX", "talkies")
# Seconds the reader search waits for Elasticsearch before answering from the
# database instead.
READER_SEARCH_TIMEOUT = 2
# A reader-index update no worker has finished or planned a retry of for this
# long is handed out again by beat.
READER_INDEX_STALE_SECONDS = env_int("READER_INDEX_STALE_SECONDS", 300)
# A transport node class for the reader-search client; only the tests set one.
ELASTICSEARCH_NODE_CLASS = None
# The admin's search: Wagtail's backend for the search server, if there is one.
_search_server = (
    ("elasticsearch8", "ELASTICSEARCH_URL")
    if ELASTICSEARCH_URL
    else ("opensearch3", "OPENSEARCH_URL")
    if OPENSEARCH_URL
    else None
)
if _search_server:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": f"wagtail.search.backends.{_search_server[0]}",
            "URLS": env_list(_search_server[1]),
            "INDEX_PREFIX": f"{ELASTICSEARCH_INDEX_PREFIX}_",
            "TIMEOUT": 2,
            "OPTIONS": {},
            "INDEX_SETTINGS": {},
        }
    }
else:
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# --- Celery ---------------------------------------------------------------
# The embedded broker is kombu's filesystem transport: a folder of message
# files that web, worker and beat on one machine share, with no server to run.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://localhost/")
CELERY_FILESYSTEM_BROKER_DIR = Path(env_str("CELERY_FILESYSTEM_BROKER_DIR", str(VAR_DIR / "celery-broker")))
if CELERY_BROKER_URL.startswith("filesystem"):
    # kombu's transport, writing each message whole before a worker can see it.
    CELERY_BROKER_TRANSPORT = "operations.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_FILESYSTEM_BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(CELERY_FILESYSTEM_BROKER_DIR / "control"),
        # A worker that acknowledges late fetches its next message only after
        # the last one; at the default 1 s poll a queue drains at ~2 tasks/s.
        "polling_interval": 0.1,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # With acks_late a task is redelivered if its worker dies; it must be
        # longer than the longest task or Redis redelivers running tasks.
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
        "socket_connect_timeout": 3,
    }
CELERY_TASK_DEFAULT_QUEUE = "talkies"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# A task is acknowledged only once it has finished, so a worker killed
# mid-task hands it to another worker; every task is written to be idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULER = "operations.heartbeats.HeartbeatScheduler"
# Beat and the worker stamp a heartbeat this often; /healthz reports either
# as down once its stamp is HEARTBEAT_MISSED_PERIODS periods old.
HEARTBEAT_SECONDS = env_int("HEARTBEAT_SECONDS", 30)
HEARTBEAT_MISSED_PERIODS = 3
HEALTHZ_CHECKS_HEARTBEATS = True
# Local time the daily alert digest goes out; it covers the 24 hours before.
ALERT_DIGEST_HOUR = env_int("ALERT_DIGEST_HOUR", 7)
ALERT_DIGEST_MINUTE = env_int("ALERT_DIGEST_MINUTE", 0)
# How often beat publishes what is due and hands out outbox rows no worker
# took: the most a scheduled story can be late, and a lost task delayed.
BEAT_SWEEP_SECONDS = env_int("BEAT_SWEEP_SECONDS", 60)
CELERY_BEAT_SCHEDULE = {
    "publish-scheduled-pages": {"task": "editorial.tasks.publish_scheduled_pages", "schedule": BEAT_SWEEP_SECONDS},
    "dispatch-pending-notifications": {
        "task": "editorial.tasks.dispatch_pending_notifications",
        "schedule": BEAT_SWEEP_SECONDS,
    },
    "dispatch-pending-alerts": {"task": "alerts.tasks.dispatch_pending_alerts", "schedule": BEAT_SWEEP_SECONDS},
    "dispatch-pending-index-updates": {
        "task": "search.tasks.dispatch_pending_index_updates",
        "schedule": BEAT_SWEEP_SECONDS,
    },
    "add-new-search-words": {"task": "search.tasks.add_new_words", "schedule": BEAT_SWEEP_SECONDS / 2},
    "refresh-live-status": {"task": "live.tasks.refresh_live_status", "schedule": BEAT_SWEEP_SECONDS},
    "roll-up-reads": {"task": "readership.tasks.roll_up_reads", "schedule": BEAT_SWEEP_SECONDS},
    # Stamps the worker's heartbeat; beat stamps its own as it schedules it.
    "heartbeat": {
        "task": "operations.heartbeat",
        "schedule": float(HEARTBEAT_SECONDS),
        # Not worth running late: a worker back from the dead stamps once.
        "options": {"expires": HEARTBEAT_SECONDS},
    },
    "send-daily-digests": {
        "task": "alerts.tasks.send_daily_digests",
        "schedule": crontab(hour=ALERT_DIGEST_HOUR, minute=ALERT_DIGEST_MINUTE),
    },
}

# --- Story reads (readership/) ----------------------------------------------
# The Redis that counts reads until beat rolls them up; the cache's by
# default. Without one, each read is added to the database at once.
READ_COUNTS_REDIS_URL = env_str("READ_COUNTS_REDIS_URL", CACHE_URL or "")
# How long the most-read and trending lists are kept before they are worked out again.
READ_LISTS_SECONDS = env_int("READ_LISTS_SECONDS", 300)

# --- Live stories (live/) -------------------------------------------------
# How often an open live story asks for new updates (its fragment is cached
# at the edge, so readers' polls cost the app one render per update).
LIVE_POLL_SECONDS = env_int("LIVE_POLL_SECONDS", 10)

# --- Reader alerts (alerts/) ------------------------------------------------
ALERT_FROM_EMAIL = env_str("ALERT_FROM_EMAIL", DEFAULT_FROM_EMAIL)
ALERT_CONFIRMATION_MAX_AGE = 3 * 24 * 60 * 60
ALERT_CONFIRMATIONS_PER_ADDRESS = 3  # confirmation emails per address per hour
ALERT_FOLLOW_RATE_LIMIT = env_int("ALERT_FOLLOW_RATE_LIMIT", 10)  # follow requests per IP per 10 minutes
# Followers per fan-out task: small enough that a retried task redoes little.
ALERT_CHUNK_SIZE = env_int("ALERT_CHUNK_SIZE", 500)
# A story readers first see later than this after it first went live (a
# private section opened to everyone) is not news: its followers are not
# alerted. 48 hours, as news sitemaps count news.
ALERT_NEWS_WINDOW_HOURS = env_int("ALERT_NEWS_WINDOW_HOURS", 48)
# Messages held open at once, one SMTP connection each, and marked sent in one
# commit: a batch costs a few round trips instead of a few per message.
ALERT_SMTP_LANES = env_int("ALERT_SMTP_LANES", 20)
ALERT_MAX_ATTEMPTS = 6
ALERT_RETRY_BASE_SECONDS = env_int("ALERT_RETRY_BASE_SECONDS", 30)
# Work no worker has touched for this long is handed out again by beat.
ALERT_STALE_SECONDS = env_int("ALERT_STALE_SECONDS", 300)
# An editorial notification left "sending" this long is sent again by beat's sweep.
NOTIFICATION_STALE_SECONDS = env_int("NOTIFICATION_STALE_SECONDS", 600)
# operations/faults.py: set by the test settings only.
FAULT_POINTS_FILE = None

# --- Newsroom notifications ---------------------------------------------
# A Slack-compatible incoming webhook that hears about every editorial event.
NEWSROOM_WEBHOOK_URL = env_str("NEWSROOM_WEBHOOK_URL")
NEWSROOM_WEBHOOK_TIMEOUT = 5
NOTIFICATION_RETRY_BASE_SECONDS = env_int("NOTIFICATION_RETRY_BASE_SECONDS", 30)
# Scheduled stories more than this late raise the dashboard and /healthz alarm.
MISSED_GO_LIVE_ALARM_MINUTES = 5

# Wagtail 8 hands its own background work (search index and reference index
# updates, image focal points) to django-tasks; this backend sends each of
# those to the Celery workers so one fleet does all asynchronous work.
TASKS = {"default": {"BACKEND": "operations.task_backend.CeleryTaskBackend"}}

# `manage.py seed_demo` creates demo users with a published password.
DEMO_CONTENT_ALLOWED = False
DEMO_ADMIN_PASSWORD = env_str("DEMO_ADMIN_PASSWORD")

# --- Wagtail --------------------------------------------------------------
WAGTAIL_SITE_NAME = "Talkies"
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"bmp": "png", "gif": "gif"}
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
# Wagtail's responsive wrapper sizes embeds with an inline style, which the
# Content Security Policy forbids; the stylesheet sizes them instead.
WAGTAILEMBEDS_RESPONSIVE_HTML = False
WAGTAIL_ENABLE_UPDATE_CHECK = False
TAGGIT_CASE_INSENSITIVE = True
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Content Security Policy ---------------------------------------------
# Reader pages run no inline script or style: every script and stylesheet is
# a file of ours, or an embed provider's below. The admin (Wagtail's own
# inline scripts) is left out of the policy.
CSP_EMBED_FRAME_ORIGINS = env_list(
    "CSP_EMBED_FRAME_ORIGINS",
    [
        "https://www.youtube.com",
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
        "https://embed.bsky.app",
        "https://platform.twitter.com",
        "https://www.instagram.com",
        "https://www.tiktok.com",
    ],
)
# Social embeds arrive as a quote plus the provider's script, which turns it
# into the provider's frame.
CSP_EMBED_SCRIPT_ORIGINS = env_list(
    "CSP_EMBED_SCRIPT_ORIGINS",
    ["https://embed.bsky.app", "https://platform.twitter.com", "https://www.instagram.com", "https://www.tiktok.com"],
)


def _origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


# Images and video come from wherever the media storage serves them.
_media = STORAGES["default"].get("OPTIONS", {})
_media_origins = sorted(
    origin
    for origin in {
        _origin(MEDIA_URL),
        f"https://{_media['custom_domain']}" if _media.get("custom_domain") else "",
        _origin(_media.get("endpoint_url") or "") if not _media.get("custom_domain") else "",
        "https://*.amazonaws.com" if _media.get("bucket_name") and not _media.get("endpoint_url") else "",
    }
    if origin
)

CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": [f"/{WAGTAIL_ADMIN_PATH}/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, *CSP_EMBED_SCRIPT_ORIGINS],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *_media_origins],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF, *CSP_EMBED_FRAME_ORIGINS],
        "media-src": [SELF, *_media_origins],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    },
}

# --- Logging --------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.db.backends": {"level": "INFO"},
        # Page-by-page audit lines drown out everything else in a terminal;
        # the admin's own history views keep them.
        "wagtail": {"level": env_str("WAGTAIL_LOG_LEVEL", "WARNING")},
        # The search clients log every request at INFO.
        "elastic_transport": {"level": "WARNING"},
        "opensearch": {"level": "WARNING"},
        # django-axes announces itself at INFO in every process and command.
        "axes": {"level": "WARNING"},
    },
}
