from django.core.management import call_command
from django.urls import reverse

import pytest
from lxml import html as lxml_html

from live.models import LiveCoverage
from news.models import ArticlePage, SeriesHubPage

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_demo_newsroom_once(client, capsys):
    call_command("seed_demo", verbosity=0)
    first_count = ArticlePage.objects.live().count()
    assert first_count >= 30
    output = capsys.readouterr().out
    assert "user 'admin' password '" in output

    call_command("seed_demo", verbosity=0)
    assert ArticlePage.objects.live().count() == first_count

    flagship = ArticlePage.objects.get(slug="mara-quill-night-ledger-season-2-just-as-personal")
    hub = SeriesHubPage.objects.get(slug="night-ledger")
    assert flagship.series == hub and flagship.season_number == 2
    assert [block.block_type for block in flagship.body].count("pull_quote") >= 3
    assert hub.seasons.count() == 3  # two aired, one announced on the calendar
    assert {tag.name for tag in flagship.franchise_tags.all()} >= {"Ironbound Universe", "Streamline"}

    tree = lxml_html.fromstring(client.get("/").content)
    assert tree.xpath("string(//*[contains(@class, 'card--lead')]//h2)") == flagship.title
    # Search is ready at once: the body, and a misspelling of a demo name.
    search = lxml_html.fromstring(client.get("/search/", {"q": "nigth ledgr"}).content)
    assert flagship.title in search.xpath("//li[@class='result']//h2/a/text()")
    assert search.xpath("string(//p[@class='did-you-mean']/a)") == "night ledger"
    signed_in = client.post(reverse("wagtailadmin_login"), {"username": "admin", "password": "talkies-demo"})
    assert signed_in.status_code == 302
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_seed_demo_has_rated_reviews_on_several_hubs_and_films(client):
    call_command("seed_demo", verbosity=0)
    reviews = ArticlePage.objects.live().filter(rating__isnull=False)
    assert reviews.filter(reviewed_kind="season").values("series").distinct().count() >= 3
    assert reviews.filter(reviewed_kind="film").count() >= 2
    assert len(set(reviews.values_list("rating", flat=True))) >= 4
    desk = lxml_html.fromstring(client.get("/reviews/", {"rating": "4"}).content)
    assert desk.xpath("//article[contains(@class, 'card')]//p[contains(@class, 'rating')]")
    hub = lxml_html.fromstring(client.get(reviews.filter(reviewed_kind="season").first().series.url).content)
    assert "average of" in hub.xpath("string(//section[@class='hub-reviews'])")


def test_seed_demo_plans_a_month_and_has_reads_for_the_most_read_lists(client):
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from editorial.calendar import calendar_entries
    from home.management.commands.seed_demo import ADMIN_USERNAME
    from readership.models import StoryReadHour

    call_command("seed_demo", verbosity=0)
    today = timezone.localdate()
    admin = get_user_model().objects.get(username=ADMIN_USERNAME)
    kinds = {entry.kind for entry in calendar_entries(admin, today, today + timedelta(days=31))}
    assert kinds >= {"planned", "premiere", "embargo"}
    assert StoryReadHour.objects.count() > 100
    home = lxml_html.fromstring(client.get("/").content)
    assert len(home.xpath("//section[@class='story-ranking']//li")) == 5


def test_seed_demo_has_an_ended_live_story_and_a_running_one(client):
    call_command("seed_demo", verbosity=0)
    ended = LiveCoverage.objects.get(page__slug="starlight-awards-live")
    running = LiveCoverage.objects.get(page__slug="starfall-comic-horizon-live")
    assert ended.status == LiveCoverage.Status.ENDED and running.status == LiveCoverage.Status.LIVE
    updates = list(ended.updates.shown())
    assert len(updates) >= 12 and sum(update.key_event for update in updates) >= 3
    kinds = {block.block_type for update in updates for block in update.body}
    assert {"paragraph", "image", "embed", "pull_quote"} <= kinds
    assert running.updates.shown().exists()

    home = lxml_html.fromstring(client.get("/").content)
    assert home.xpath("//section[contains(@class, 'live-now')]//a/text()") == [running.page.title]
    story = lxml_html.fromstring(client.get(ended.page.url).content)
    assert len(story.xpath("//*[@data-live-list]/li")) == len(updates)
    assert story.xpath("//*[@data-live-list]//iframe[contains(@src, 'youtube-nocookie.com')]")
