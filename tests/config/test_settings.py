"""Settings come from the environment; production refuses to run half-configured."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import ArticlePageFactory, SectionPageFactory
from tests.support.processes import ROOT

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "talkies.example",
    "WAGTAILADMIN_BASE_URL": "https://talkies.example",
    "DATABASE_URL": "postgres://talkies@db.talkies.example:5432/talkies",
    "CACHE_URL": "redis://redis.talkies.example:6379/1",
    "CELERY_BROKER_URL": "redis://redis.talkies.example:6379/0",
    "EMAIL_HOST": "smtp.talkies.example",
    "RELEASE_ID": "2026.12.1",
}
# The services production cannot run without: each is named when missing.
PRODUCTION_SERVICES = ("DATABASE_URL", "CACHE_URL", "CELERY_BROKER_URL", "EMAIL_HOST")
SERVICE_VARIABLES = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "ELASTICSEARCH_URL",
    "OPENSEARCH_URL",
    "SECRET_KEY",
    "EMAIL_HOST",
    "EMAIL_BACKEND",
    "RELEASE_ID",
    "TRUSTED_PROXIES",
    "DEBUG",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def clean_env(**overrides):
    """This process's environment without service addresses or a settings
    module, plus `overrides`."""
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES and k != "DJANGO_SETTINGS_MODULE"}
    env.update(overrides)
    return env


def run_manage(*args, env=None):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean_env(**(env or {})),
        capture_output=True,
        text=True,
        timeout=120,
    )


def json_printed_by(code, env):
    """Run `code` in a fresh Python with `env` and read the JSON it prints last."""
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean_env(**env), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def settings_seen_with(env, *names):
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: repr(getattr(settings, n)) for n in {list(names)!r}}}))"
    )
    return json_printed_by(code, {"DJANGO_SETTINGS_MODULE": "config.settings.dev", **env})


def test_production_refuses_to_start_without_a_secret_key():
    env = dict(PRODUCTION_ENV)
    del env["SECRET_KEY"]
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_run_half_configured_and_names_every_missing_service():
    env = {name: value for name, value in PRODUCTION_ENV.items() if name not in PRODUCTION_SERVICES}
    for command in (["check", "--deploy"], ["shell", "-c", "import config.wsgi"]):
        result = run_manage(*command, env=env)
        assert result.returncode != 0
        for name in PRODUCTION_SERVICES:
            assert name in result.stderr, (command, name, result.stderr[-2000:])
    # One missing is named alone: the others are there.
    result = run_manage("check", "--deploy", env={**PRODUCTION_ENV, "CACHE_URL": ""})
    assert result.returncode != 0
    assert "CACHE_URL" in result.stderr and "DATABASE_URL:" not in result.stderr


def test_an_explicit_mail_backend_is_the_documented_way_round_email_host():
    env = {name: value for name, value in PRODUCTION_ENV.items() if name != "EMAIL_HOST"}
    backend = "django.core.mail.backends.console.EmailBackend"
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env={**env, "EMAIL_BACKEND": backend})
    assert result.returncode == 0, result.stderr


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
    assert "operations.mail.EmailBackend" in seen["EMAIL_BACKEND"]
    from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend

    from operations.mail import EmailBackend

    assert issubclass(EmailBackend, DjangoSMTPBackend)


def test_object_storage_is_used_when_a_bucket_is_named():
    seen = settings_seen_with(
        {"AWS_STORAGE_BUCKET_NAME": "talkies-media", "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000"}, "STORAGES"
    )
    assert "storages.backends.s3.S3Storage" in seen["STORAGES"]
    assert "talkies-media" in seen["STORAGES"]


PRODUCTION_REQUESTS = """
import json, django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client

get_user_model().objects.create_superuser("root", "root@talkies.example", "correct horse battery")
client = Client(HTTP_HOST="talkies.example")
seen = {"plain_http": client.get("/").status_code, "plain_http_to": client.get("/")["Location"]}
for name, response in (
    ("home", client.get("/", secure=True)),
    ("login_form", client.get("/admin/login/", secure=True)),
    ("signed_in", client.post(
        "/admin/login/", {"username": "root", "password": "correct horse battery"}, secure=True
    )),
):
    seen[name] = {"status": response.status_code, "headers": dict(response.headers)}
seen["cookies"] = {
    name: {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]), "samesite": morsel["samesite"]}
    for name, morsel in client.cookies.items()
}
print(json.dumps(seen))
"""


@pytest.mark.django_db(transaction=True)
def test_production_sends_the_security_headers_and_cookie_flags(tmp_path, private_redis):
    """Production settings against this test database: HTTPS only, HSTS,
    a Content Security Policy without 'unsafe-inline' on reader pages, and
    cookies that scripts cannot read and plain HTTP never carries."""
    from django.db import connection

    ArticlePageFactory(parent=SectionPageFactory(title="News", slug="news"))
    database = connection.settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        database_url = f"sqlite:///{Path(database['NAME']).resolve()}"
    else:
        database_url = (
            f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:{database['PORT']}"
            f"/{database['NAME']}"
        )
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": database_url,
        # A real Redis, of this test's own.
        "CACHE_URL": private_redis.url,
        "CELERY_BROKER_URL": private_redis.url,
        "EMAIL_HOST": "",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    collected = run_manage("collectstatic", "--no-input", "-v0", env=env)
    assert collected.returncode == 0, collected.stderr
    seen = json_printed_by(PRODUCTION_REQUESTS, env)

    assert seen["plain_http"] == 301 and seen["plain_http_to"] == "https://talkies.example/"
    home = seen["home"]["headers"]
    assert seen["home"]["status"] == 200
    assert home["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert home["X-Content-Type-Options"] == "nosniff"
    assert home["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert home["X-Frame-Options"] == "DENY"
    csp = home["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    # django-csp writes the directives in no fixed order.
    directives = {part.strip().split(" ", 1)[0]: part.strip() for part in csp.split(";") if part.strip()}
    assert directives["script-src"].startswith("script-src 'self'")
    assert directives["style-src"] == "style-src 'self'"
    assert "upgrade-insecure-requests" in directives
    assert "Content-Security-Policy" not in seen["login_form"]["headers"]
    assert seen["signed_in"]["status"] == 302
    assert set(seen["cookies"]) >= {"csrftoken", "sessionid"}
    for name, flags in seen["cookies"].items():
        assert flags["secure"] and flags["httponly"], (name, flags)
        assert flags["samesite"] == "Lax", (name, flags)


def test_the_admin_can_live_at_a_path_of_the_operators_choosing():
    code = (
        "import json, django; django.setup(); from django.conf import settings; from django.urls import resolve; "
        "print(json.dumps({'moved': resolve('/newsroom-desk/login/').url_name, "
        "'old': resolve('/admin/login/').url_name, "
        "'csp_left_out': settings.CONTENT_SECURITY_POLICY['EXCLUDE_URL_PREFIXES']}))"
    )
    seen = json_printed_by(
        code, {"DJANGO_SETTINGS_MODULE": "config.settings.dev", "WAGTAIL_ADMIN_PATH": "/newsroom-desk/"}
    )
    assert seen["moved"] == "wagtailadmin_login"
    assert seen["old"] == "wagtail_serve"  # /admin/ is just a page address now: a 404 for scanners
    assert seen["csp_left_out"] == ["/newsroom-desk/"]
