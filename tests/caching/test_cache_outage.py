"""Redis, as the cache, going away in the middle of a publish and of a
reader request: pages still answer, the publish lands, the outage is logged
once, and nothing kept from before it is served stale when Redis is back."""

import logging

from django.db import connection
from django.test import Client

import pytest

from caching.backends import ResilientRedisCache
from home.models import SiteSettings
from news.models import ArticlePage
from tests.factories import ArticlePageFactory, AuthorFactory, SectionPageFactory, UserFactory, article_form_data
from tests.support.admin import ADMIN
from tests.support.processes import PrivateRedis, free_port, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis_cache(settings, tmp_path):
    redis = PrivateRedis(tmp_path).start()
    cache = {
        "BACKEND": "caching.backends.ResilientRedisCache",
        "LOCATION": redis.url,
        "KEY_PREFIX": "outage-test",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
    }
    settings.CACHES = {"default": cache, "heartbeats": cache}
    settings.CACHE_RETRY_SECONDS = 1
    # As in production: the page cache on, its generation kept in Redis.
    settings.PAGE_CACHE_SECONDS = 600
    settings.FRAGMENT_CACHE_SECONDS = 600
    settings.PAGE_CACHE_GENERATION_FILE = None
    yield redis
    redis.stop()


def shut_down_at_first_query(redis):
    """A database execute wrapper: the request has already used the cache
    (its page lookup), and goes on using it after this."""

    def wrapper(execute, sql, params, many, context):
        if redis.process.poll() is None:
            redis.shut_down()
        return execute(sql, params, many, context)

    return wrapper


def read(path):
    """A reader's first request, with no cookie: what the page cache serves."""
    return Client().get(path)


def outage_lines(caplog, text):
    return [record for record in caplog.records if record.name == "caching.backends" and text in record.message]


def test_publish_and_read_through_a_redis_outage(redis_cache, caplog):
    editor_client = Client()
    caplog.set_level(logging.INFO, logger="caching.backends")
    section = SectionPageFactory(title="News", slug="news")
    author = AuthorFactory()
    ArticlePageFactory(parent=section, title="Before the outage", slug="before-the-outage")
    editor_client.force_login(UserFactory(username="editor", is_superuser=True, is_staff=True))
    SiteSettings.load()  # created on the first page view otherwise, which purges the cache
    assert "Before the outage" in read("/news/").content.decode()
    assert read("/news/")["X-Page-Cache"] == "hit"  # kept in Redis
    with connection.execute_wrapper(shut_down_at_first_query(redis_cache)):
        response = editor_client.post(
            f"{ADMIN}/pages/add/news/articlepage/{section.pk}/",
            article_form_data(
                author=author, title="Published mid-outage", slug="published-mid-outage", action="action-publish"
            ),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ArticlePage.objects.get(slug="published-mid-outage").live

    for _ in range(5):
        response = read("/news/")
        assert response.status_code == 200
        assert "Published mid-outage" in response.content.decode()
    assert read("/news/published-mid-outage/").status_code == 200
    assert len(outage_lines(caplog, "Cache unavailable")) == 1

    redis_cache.start()  # with what it held before the outage, the old section page included

    def back_and_current():
        shown = "Published mid-outage" in read("/news/").content.decode()
        return shown and outage_lines(caplog, "Cache available again")

    wait_for(
        back_and_current,
        timeout=20,
        message="the cache back, and the section page showing the story published during the outage",
    )
    assert "Published mid-outage" in read("/news/").content.decode()

    # Gone again in the middle of a reader's request.
    with connection.execute_wrapper(shut_down_at_first_query(redis_cache)):
        response = read("/news/before-the-outage/")
    assert response.status_code == 200 and "Before the outage" in response.content.decode()
    assert read("/").status_code == 200
    assert len(outage_lines(caplog, "Cache unavailable")) == 2  # once per outage


def test_the_outage_line_names_the_server_without_its_password(caplog):
    port = free_port()  # nothing listens there
    cache = ResilientRedisCache(f"redis://:hunter2@127.0.0.1:{port}/0", {"OPTIONS": {"socket_connect_timeout": 1}})
    with caplog.at_level(logging.ERROR, logger="caching.backends"):
        assert cache.get("anything", "missed") == "missed"
        assert cache.get("anything else", "missed") == "missed"
    (line,) = outage_lines(caplog, "Cache unavailable")
    assert f"redis://127.0.0.1:{port}/0" in line.message and "hunter2" not in line.message
