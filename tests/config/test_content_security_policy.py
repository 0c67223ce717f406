"""Reader pages run under a Content Security Policy without 'unsafe-inline',
and nothing a reader or an editor uses on them breaks: the embed providers'
players, the search box's suggestions, Wagtail's userbar for editors. Checked
in Chromium, which reports every violation as it happens."""

import copy
import json

from django.conf import settings as django_settings

import pytest

from editorial.newsroom import EDITORS, setup_newsroom
from news.models import ArticlePage
from tests.factories import (
    ArticlePageFactory,
    FranchiseTagFactory,
    SectionPageFactory,
    newsroom_users,
)
from tests.support.admin import ADMIN
from tests.support.browser import sign_in

pytestmark = pytest.mark.django_db

PROVIDER = "https://social.talkies.test"
# What a social network's oEmbed answer looks like: a quote with inline
# styles, an inline script, and the provider's script that swaps the quote
# for its player.
SOCIAL_POST_HTML = (
    '<blockquote class="social-post" style="max-width:540px; border:1px solid #ccc" onclick="track()">'
    "<p>Filming starts today.</p></blockquote>"
    "<script>window.providerInline = true;</script>"
    f'<script async src="{PROVIDER}/embed.js"></script>'
)
PROVIDER_SCRIPT = f"""
document.querySelectorAll("blockquote.social-post").forEach(function (quote) {{
  var frame = document.createElement("iframe");
  frame.src = "{PROVIDER}/player";
  frame.title = "Social post";
  frame.className = "social-player";
  quote.replaceWith(frame);
}});
"""
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def policy(response):
    return {
        name: values
        for name, _, values in (
            part.strip().partition(" ") for part in response["Content-Security-Policy"].split(";") if part.strip()
        )
    }


def test_reader_pages_send_a_policy_without_unsafe_inline_and_the_admin_none(client):
    story = ArticlePageFactory(parent=SectionPageFactory(title="News", slug="news"))
    for path, status in (("/", 200), ("/news/", 200), (story.url, 200), ("/search/?q=ledger", 200), ("/nope/", 404)):
        response = client.get(path)
        assert response.status_code == status, path
        directives = policy(response)
        assert "unsafe-inline" not in response["Content-Security-Policy"], path
        assert directives["script-src"].startswith("'self'")
        assert directives["style-src"] == "'self'"
        assert directives["object-src"] == "'none'"
    # Wagtail's admin relies on inline scripts of its own: left out of the policy.
    assert "Content-Security-Policy" not in client.get(f"{ADMIN}/login/")


def test_social_embeds_lose_inline_code_and_keep_the_providers_script():
    from news import blocks

    block = blocks.MediaEmbedBlock()
    value = block.to_python({"url": "https://social.talkies.test/post/1", "kind": "social"})
    value["url"].__dict__["html"] = SOCIAL_POST_HTML
    html = value.player_html()
    assert "style=" not in html and "onclick" not in html and "providerInline" not in html
    assert "Filming starts today." in html
    assert f'src="{PROVIDER}/embed.js"' in html


@pytest.fixture
def story_with_embed(settings, local_http_server):
    local_http_server.routes["/oembed"] = (
        200,
        "application/json",
        json.dumps({"type": "rich", "version": "1.0", "html": SOCIAL_POST_HTML, "provider_name": "Social"}),
    )
    settings.WAGTAILEMBEDS_FINDERS = [
        {
            "class": "wagtail.embeds.finders.oembed",
            "providers": [{"endpoint": f"{local_http_server.url}/oembed", "urls": [rf"^{PROVIDER}/.+$"]}],
        }
    ]
    csp = copy.deepcopy(django_settings.CONTENT_SECURITY_POLICY)
    csp["DIRECTIVES"]["script-src"].append(PROVIDER)
    csp["DIRECTIVES"]["frame-src"].append(PROVIDER)
    settings.CONTENT_SECURITY_POLICY = csp
    section = SectionPageFactory(title="News", slug="news")
    return ArticlePageFactory(
        parent=section,
        title="Night Ledger starts filming",
        tags=[FranchiseTagFactory(name="Ironbound", slug="ironbound")],
        body=[
            ("paragraph", "<p>The second season is under way.</p>"),
            ("embed", {"url": f"{PROVIDER}/post/1", "kind": "social", "caption": "The first day"}),
            ("pull_quote", {"quote": "We shot the finale first.", "speaker": "Ada Okonkwo"}),
        ],
    )


def open_watched(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH_VIOLATIONS)
    context.route(
        f"{PROVIDER}/**",
        lambda route: route.fulfill(
            status=200,
            content_type="application/javascript" if route.request.url.endswith(".js") else "text/html",
            body=PROVIDER_SCRIPT if route.request.url.endswith(".js") else "<p>Player</p>",
        ),
    )
    return context, context.new_page()


def violations(page):
    return page.evaluate("window.__violations")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_readers_pages_work_under_the_policy_in_chromium(browser, live_server, story_with_embed):
    context, page = open_watched(browser)
    page.goto(f"{live_server.url}{story_with_embed.url}")
    # The provider's script ran and put its player where the quote was.
    page.wait_for_selector("iframe.social-player")
    assert page.locator(".pull-quote, blockquote").count() >= 1
    assert violations(page) == []
    assert page.evaluate("window.providerInline") is None

    # Typeahead: our own script fetching suggestions from our own origin.
    page.goto(f"{live_server.url}/search/?q=night")
    page.fill("input[name=q]", "Night Led")
    # (Playwright's wait_for_function evaluates a string, which this policy forbids.)
    page.locator("datalist option").first.wait_for(state="attached")
    assert violations(page) == []

    # The policy is in force: markup that slips in cannot run a handler.
    page.evaluate(
        """document.body.insertAdjacentHTML("beforeend", '<img src="data:," onerror="window.__ran = true">')"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.__ran") is None
    assert any(v.startswith("script-src") for v in violations(page))
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_editors_userbar_works_under_the_policy(browser, live_server, story_with_embed):
    setup_newsroom()
    newsroom_users(eddie=EDITORS)
    context, page = open_watched(browser)
    sign_in(page, live_server, "eddie")

    page.goto(f"{live_server.url}{story_with_embed.url}")
    page.locator("[data-wagtail-userbar-trigger]").click()
    edit_link = page.get_by_role("menuitem", name="Edit this page")
    edit_link.wait_for()
    assert violations(page) == []
    edit_link.click()
    page.wait_for_url(f"{live_server.url}{ADMIN}/pages/{story_with_embed.pk}/edit/")
    assert ArticlePage.objects.get(pk=story_with_embed.pk).live
    context.close()
