import re

import pytest

from tests.factories import FranchiseTagFactory, SeriesHubPageFactory

LINK = re.compile(r"https?://[^\s\"<>]+")


@pytest.fixture
def celery_eager():
    """Tasks queued by the code under test run at once, in this process
    (the tests in test_alert_worker.py use a real worker instead)."""
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False


@pytest.fixture
def hub(db):
    return SeriesHubPageFactory(title="Night Ledger", slug="night-ledger")


@pytest.fixture
def tag(db):
    return FranchiseTagFactory(name="Ironbound", slug="ironbound")


def follow(client, email, *topics, frequency="instant", **extra):
    values = [f"series:{topic.pk}" if hasattr(topic, "url_path") else f"franchise:{topic.pk}" for topic in topics]
    return client.post("/follow/", {"email": email, "topics": values, "frequency": frequency, **extra})


def links_in(message, path_part):
    """Links in a message's plain-text part that contain `path_part`, as paths."""
    text = message.get_body(preferencelist=("plain",)).get_content() if hasattr(message, "get_body") else message.body
    return [re.sub(r"^https?://[^/]+", "", link) for link in LINK.findall(text) if path_part in link]


def confirm(client, message):
    (path,) = links_in(message, "/follow/confirm/")
    return client.post(path)
