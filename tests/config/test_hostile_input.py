"""Hostile input, generated (hypothesis) over every public query parameter
and form: no 5xx, no stack trace, no search-engine or database error text,
and markup echoed back escaped."""

from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import ArticlePageFactory, AuthorFactory, FranchiseTagFactory, SeriesHubPageFactory
from tests.search.conftest import FALLBACK_NOTICE, reindex

pytestmark = pytest.mark.django_db

MARKUP = "<script>alert('x')</script>"
LEAKS = ("Traceback", "OperationalError", "ProgrammingError", "fts5", "SearchPhaseExecution", "parse_exception")
hostile_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from('"()*?:\\/[]{}~^!&|+-<>=%\x00 ANDORNOT'), max_size=60),
    st.sampled_from([MARKUP, "\x00", "🎬" * 50, "ё" * 2000, "a" * 10_000, "-1", "0", "99999999999999999999", "1e9"]),
)
examples = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@pytest.fixture
def site_content(db, settings):
    # Every generated example must reach the form's validation, not the rate limit.
    settings.COMMENT_RATE_LIMIT = settings.ALERT_FOLLOW_RATE_LIMIT = 10**6
    tag = FranchiseTagFactory(name="Ironbound", slug="ironbound")
    hub = SeriesHubPageFactory(title="Night Ledger", slug="night-ledger")
    author = AuthorFactory(name="Niko Parrish", slug="niko-parrish")
    story = ArticlePageFactory(title="Night Ledger returns", series=hub, tags=[tag], authors=[author])
    return {"tag": tag, "hub": hub, "author": author, "story": story}


@pytest.fixture
def indexed_content(site_content, backend):
    """The stories in the reader index of each backend: the database
    (SQLite, or PostgreSQL in CI's service pass) and a search server through
    each official client."""
    reindex(backend)
    return backend


def assert_handled(response, *typed):
    assert response.status_code < 500, response.status_code
    body = response.content.decode(errors="replace") if not response.streaming else ""
    for leak in LEAKS:
        assert leak not in body, leak
    if any(MARKUP in value for value in typed if isinstance(value, str)):
        assert MARKUP not in body


@examples
@given(
    q=hostile_text,
    page=hostile_text,
    sort=hostile_text,
    facet=st.sampled_from(["franchise", "series", "section", "author", "date", "unknown"]),
    value=hostile_text,
)
def test_search_and_suggest_answer_any_query_string(client, indexed_content, q, page, sort, facet, value):
    query = urlencode({"q": q, "page": page, "sort": sort, facet: value})
    response = client.get(f"/search/?{query}")
    assert_handled(response, q, value)
    if indexed_content != "database":
        # The search server answered it, not the database standing in for it.
        assert FALLBACK_NOTICE not in response.content.decode()
    suggest = client.get("/search/suggest/?" + urlencode({"q": q}))
    assert_handled(suggest)
    assert suggest["Content-Type"].startswith("application/json")


@examples
@given(page=hostile_text, extra=hostile_text)
def test_listings_and_feeds_answer_any_page_number(client, site_content, page, extra):
    query = urlencode({"page": page, "utm_source": extra})
    for path in ("/", site_content["story"].get_parent().url, site_content["hub"].url, "/franchises/ironbound/",
                 "/authors/niko-parrish/", "/feeds/latest.rss", "/feeds/franchise/ironbound.atom"):  # fmt: skip
        assert_handled(client.get(f"{path}?{query}"), extra)


@examples
@given(name=hostile_text, email=hostile_text, body=hostile_text, parent=hostile_text, started=hostile_text)
def test_comment_form_refuses_hostile_input_clearly(client, site_content, name, email, body, parent, started):
    story = site_content["story"]
    data = {"name": name, "email": email, "body": body, "parent": parent, "started": started}
    response = client.post(f"/comments/{story.pk}/", data)
    assert_handled(response, name, email, body)
    assert_handled(client.get(f"/comments/{story.pk}/?" + urlencode({"reply_to": parent})))


@examples
@given(email=hostile_text, topic=hostile_text, frequency=hostile_text, series=hostile_text, story=hostile_text)
def test_follow_form_refuses_hostile_input_clearly(client, site_content, email, topic, frequency, series, story):
    response = client.post(
        "/follow/",
        {"email": email, "topics": [topic, f"series:{site_content['hub'].pk}"], "frequency": frequency},
    )  # fmt: skip
    assert_handled(response, email)
    assert_handled(client.get("/follow/?" + urlencode({"series": series, "story": story, "email": email})), email)


@examples
@given(token=hostile_text, choice=hostile_text)
def test_signed_links_answer_any_token(client, site_content, token, choice):
    path_token = quote(token, safe="") or "x"
    for path in (
        f"/follow/confirm/{path_token}/",
        f"/follow/manage/{path_token}/",
        f"/follow/unsubscribe/{path_token}/",
    ):
        assert_handled(client.get(path))
        assert_handled(client.post(path, {"topics": [choice], "frequency": choice[:10]}))
