"""The service pass really runs on the services the environment names."""

import os

from django.db import connection

import pytest

pytestmark = pytest.mark.django_db


def test_database_is_the_one_named_by_database_url():
    url = os.environ.get("DATABASE_URL", "sqlite://")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


def test_broker_and_cache_are_the_ones_named_by_the_environment(client):
    checks = client.get("/healthz").json()["checks"]
    broker = os.environ.get("CELERY_BROKER_URL", "filesystem://")
    assert checks["broker"]["backend"] == broker.split(":", 1)[0]
    expected_cache = "ResilientRedisCache" if os.environ.get("CACHE_URL", "").startswith("redis") else "LocMemCache"
    assert checks["cache"]["backend"] == expected_cache
