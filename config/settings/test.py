"""The test suite: fast and isolated, but on the real engines the
environment names (PostgreSQL, Redis) when CI's service pass sets them."""

import os
import tempfile
from pathlib import Path

from config.settings.env import env_str

from .base import *  # noqa: F403
from .base import CELERY_BROKER_URL, DATABASES, VAR_DIR

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(tempfile.gettempdir()) / "talkies-test-media"

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A worker process started by the tests cannot share the in-memory outbox;
# it talks SMTP to a relay the tests run (tests/conftest.py: smtp_sink).
_smtp_port = env_str("TALKIES_TEST_SMTP_PORT")
if _smtp_port:
    EMAIL_BACKEND = "operations.mail.EmailBackend"
    EMAIL_HOST = "127.0.0.1"
    EMAIL_PORT = int(_smtp_port)
    EMAIL_USE_TLS = False
    EMAIL_TIMEOUT = 10
NOTIFICATION_RETRY_BASE_SECONDS = 1
# Off, so that query-count tests measure rendering; tests/config/test_page_cache.py turns it on.
PAGE_CACHE_SECONDS = 0
FRAGMENT_CACHE_SECONDS = 0

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not SQLite's in-memory default, so that a real Celery worker
    # process started by a test can open the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-talkies.sqlite3")}

# Test runs get a broker folder of their own. setdefault exports it, so a
# worker process started by a test (which re-imports these settings)
# inherits the same folder.
if CELERY_BROKER_URL.startswith("filesystem"):
    _broker_dir = Path(
        os.environ.setdefault("CELERY_FILESYSTEM_BROKER_DIR", tempfile.mkdtemp(prefix="talkies-test-broker-"))
    )
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
        "polling_interval": 0.1,
    }

# One worker process outlives the many database flushes of a test session.
CELERY_WORKER_CLEARS_CACHES_PER_TASK = True

# Wagtail's own background work (index updates) runs inline in tests so that
# a test sees its effect; the Celery route is proven by a test that starts a
# real worker and switches TASKS back to the Celery backend.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://testserver")
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

# A Celery worker process started by a test opens the test database, whose
# name only the test run knows.
_worker_database_name = env_str("TALKIES_WORKER_DATABASE_NAME")
if _worker_database_name:
    DATABASES["default"]["NAME"] = _worker_database_name

DEMO_CONTENT_ALLOWED = True

# No beat runs beside most tests; tests/config/test_heartbeats.py starts a
# real beat and worker and turns the heartbeat checks on.
HEALTHZ_CHECKS_HEARTBEATS = False

# A worker started by the tests sends reader-index updates to the tests'
# in-memory OpenSearch-compatible server (osmem).
_reader_search_url = env_str("TALKIES_TEST_READER_ES_URL")
if _reader_search_url:
    ELASTICSEARCH_URL = _reader_search_url
    ELASTICSEARCH_NODE_CLASS = "tests.search.conftest.PlainJSONNode"

# A worker started by the tests dies at the fault points a test writes into
# this file (operations/faults.py).
FAULT_POINTS_FILE = env_str("TALKIES_FAULT_POINTS_FILE")
