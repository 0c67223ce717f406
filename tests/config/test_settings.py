"""Settings come from the environment; production refuses to run half-configured."""

import json
import os
import subprocess
import sys

from tests.conftest import ROOT

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "talkies.example",
    "WAGTAILADMIN_BASE_URL": "https://talkies.example",
}
SERVICE_VARIABLES = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "ELASTICSEARCH_URL",
    "OPENSEARCH_URL",
    "SECRET_KEY",
    "DEBUG",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def run_manage(*args, env=None):
    clean = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES and k != "DJANGO_SETTINGS_MODULE"}
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def settings_seen_with(env, *names):
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: repr(getattr(settings, n)) for n in {list(names)!r}}}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings.dev"}, **env)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_refuses_to_start_without_a_secret_key():
    env = dict(PRODUCTION_ENV)
    del env["SECRET_KEY"]
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_passes_the_deployment_checklist_without_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_embedded_defaults_need_no_server():
    seen = settings_seen_with(
        {}, "DATABASES", "CELERY_BROKER_URL", "WAGTAILSEARCH_BACKENDS", "CACHES", "EMAIL_BACKEND"
    )
    assert "sqlite3" in seen["DATABASES"]
    assert seen["CELERY_BROKER_URL"].startswith("'filesystem://")
    assert "wagtail.search.backends.database" in seen["WAGTAILSEARCH_BACKENDS"]
    assert "LocMemCache" in seen["CACHES"]
    assert "filebased" in seen["EMAIL_BACKEND"]


def test_environment_switches_to_real_services():
    seen = settings_seen_with(
        {
            "DATABASE_URL": "postgres://newsroom@db.internal:5432/talkies",
            "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
            "CACHE_URL": "redis://redis.internal:6379/1",
            "ELASTICSEARCH_URL": "http://search.internal:9200",
            "EMAIL_HOST": "smtp.internal",
        },
        "DATABASES",
        "CELERY_BROKER_URL",
        "WAGTAILSEARCH_BACKENDS",
        "CACHES",
        "EMAIL_BACKEND",
    )
    assert "postgresql" in seen["DATABASES"] and "db.internal" in seen["DATABASES"]
    assert seen["CELERY_BROKER_URL"] == "'redis://redis.internal:6379/0'"
    assert "elasticsearch8" in seen["WAGTAILSEARCH_BACKENDS"]
    assert "search.internal:9200" in seen["WAGTAILSEARCH_BACKENDS"]
    assert "RedisCache" in seen["CACHES"]
    # Django's SMTP backend, with the two-step handoff reader alerts use.
    assert "config.mail.EmailBackend" in seen["EMAIL_BACKEND"]
    from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend

    from config.mail import EmailBackend

    assert issubclass(EmailBackend, DjangoSMTPBackend)


def test_object_storage_is_used_when_a_bucket_is_named():
    seen = settings_seen_with(
        {"AWS_STORAGE_BUCKET_NAME": "talkies-media", "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000"}, "STORAGES"
    )
    assert "storages.backends.s3.S3Storage" in seen["STORAGES"]
    assert "talkies-media" in seen["STORAGES"]
