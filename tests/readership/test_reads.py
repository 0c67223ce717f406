"""Story reads: the beacon counts each reader once a day and bots never,
keeps nothing that identifies a reader, survives a Redis restart through
beat's roll-up, and feeds most-read and trending lists that show only
live, public stories."""

from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest
import redis
from lxml import html as lxml_html

from readership.counter import add_reads, beacon_token, count_read, read_counts
from readership.models import StoryReadHour
from readership.tasks import roll_up_reads
from tests.factories import (
    ArticlePageFactory,
    FranchiseTagFactory,
    SectionPageFactory,
    UserFactory,
    home_page,
    hours_ago,
)
from tests.support.admin import ADMIN

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "python-requests/2.32.3",
    "",
]


def beacon(page):
    return reverse("readership:story_read", args=[page.pk, beacon_token(page.pk)])


def read(client, page, address="203.0.113.7", agent=BROWSER, method="post"):
    return getattr(client, method)(beacon(page), REMOTE_ADDR=address, HTTP_USER_AGENT=agent)


def reads_of(page):
    """The story's reads in the database, once beat's roll-up has run."""
    roll_up_reads()
    return sum(StoryReadHour.objects.filter(page=page).values_list("reads", flat=True))


@pytest.fixture
def story():
    return ArticlePageFactory(parent=SectionPageFactory(title="News", slug="news"), title="Night Ledger renewed")


@pytest.fixture
def redis_counts(settings, private_redis):
    settings.READ_COUNTS_REDIS_URL = private_redis.url
    return private_redis


@pytest.fixture(params=["database", "redis"])
def counts_in(request, settings):
    """Reads are counted in Redis when there is one, else in the database."""
    if request.param == "redis":
        request.getfixturevalue("redis_counts")
    else:
        settings.READ_COUNTS_REDIS_URL = ""
    return request.param


def test_the_story_page_carries_its_beacon_and_a_no_script_image(client, story):
    tree = lxml_html.fromstring(client.get(story.url).content)
    assert tree.xpath("//*[@data-read-beacon]/@data-read-beacon") == [beacon(story)]
    assert "reads.js" in " ".join(tree.xpath("//script/@src"))
    page = client.get(story.url).content.decode()
    assert f'<noscript><img class="read-pixel" src="{beacon(story)}"' in page


def test_each_reader_counts_once_a_day_and_every_reader_counts(client, story, counts_in):
    for _ in range(3):
        response = read(client, story)
        assert response.status_code == 204
        assert "no-store" in response["Cache-Control"]
        assert not response.cookies
    read(client, story, address="203.0.113.8")
    read(client, story, agent=PHONE)  # another device behind the same address
    pixel = read(client, story, address="198.51.100.1", method="get")
    assert pixel.status_code == 200 and pixel["Content-Type"] == "image/gif"
    assert reads_of(story) == 4


def test_known_bots_are_not_counted(client, story, counts_in):
    for agent in BOTS:
        assert read(client, story, agent=agent).status_code == 204  # told nothing
    assert reads_of(story) == 0


@pytest.mark.parametrize(
    "path, status",
    [
        ("/reads/{pk}/{other}/", 400),  # another story's token
        ("/reads/{pk}/forged-token/", 400),
        ("/reads/{pk}//", 404),
        ("/reads/abc/{token}/", 404),
        ("/reads/{pk}/{token}/?" + "x" * 3000, 204),
    ],
)
def test_forged_beacons_are_refused_and_count_nothing(client, story, path, status):
    other = ArticlePageFactory(parent=story.get_parent())
    url = path.format(pk=story.pk, token=beacon_token(story.pk), other=beacon_token(other.pk))
    assert client.post(url, REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT=BROWSER).status_code == status
    assert reads_of(story) == (1 if status == 204 else 0)
    assert client.put(beacon(story)).status_code == 405


def test_the_salt_rotates_daily_and_nothing_identifying_a_reader_is_stored(story, redis_counts):
    address, agent = "203.0.113.77", "Mozilla/5.0 (Talkies privacy test) Gecko/20100101 Firefox/133.0"
    request = RequestFactory().post("/", REMOTE_ADDR=address, HTTP_USER_AGENT=agent)
    monday = datetime(2026, 12, 7, 9, tzinfo=UTC)
    assert count_read(request, story.pk, now=monday)
    assert not count_read(request, story.pk, now=monday + timedelta(hours=5))
    assert count_read(request, story.pk, now=monday + timedelta(days=1))  # a new day, a new salt

    store = redis.Redis.from_url(redis_counts.url)
    stored = []
    for key in store.scan_iter():
        kind = store.type(key).decode()
        stored.append(key)
        if kind == "string":
            stored.append(store.get(key))
        elif kind == "hash":
            stored.extend(item for pair in store.hgetall(key).items() for item in pair)
        elif kind == "set":
            stored.extend(store.smembers(key))
    assert len([key for key in stored if b":salt:" in key]) == 2  # one per day, in memory only
    everything = b"\n".join(stored)
    for secret in (address, agent, "Firefox", "Talkies privacy test"):
        assert secret.encode() not in everything
    assert all(store.ttl(key) > 0 for key in store.scan_iter())  # every key goes away by itself

    roll_up_reads()
    rows = list(StoryReadHour.objects.values())
    assert [(row["page_id"], row["reads"]) for row in rows] == [(story.pk, 1), (story.pk, 1)]
    assert set(rows[0]) == {"id", "page_id", "hour", "reads"}


def test_rolled_up_reads_survive_a_redis_restart_and_counting_carries_on(client, story, redis_counts):
    for number in range(3):
        read(client, story, address=f"203.0.113.{number}")
    assert roll_up_reads() == 3
    assert roll_up_reads() == 0  # nothing is added twice
    read(client, story, address="203.0.113.50")  # counted in Redis, not yet rolled up

    redis_counts.stop()  # a crash: nothing saved
    redis_counts.start()
    assert reads_of(story) == 3  # the rolled-up reads are kept; the one since is the documented loss

    read(client, story, address="203.0.113.51")
    read(client, story, address="203.0.113.51")
    assert reads_of(story) == 4


def test_a_roll_up_that_died_before_deleting_its_batch_adds_it_once(client, story, redis_counts, monkeypatch):
    read(client, story)
    counts = read_counts()
    with monkeypatch.context() as dying:
        # The worker dies after its commit, before it deletes the batch from Redis.
        dying.setattr(counts.client, "delete", lambda *keys: None)
        assert counts.roll_up() == 1
    assert reads_of(story) == 1  # the next roll-up finds the batch, already added


def test_while_redis_is_away_a_read_goes_uncounted_and_the_reader_sees_no_error(client, story, settings):
    settings.READ_COUNTS_REDIS_URL = "redis://127.0.0.1:9/0"
    assert read(client, story).status_code == 204


def test_most_read_lists_only_live_public_stories_by_reads_in_the_last_day(client, settings):
    settings.READ_COUNTS_REDIS_URL = ""
    home_page()
    news, reviews = SectionPageFactory(title="News", slug="news"), SectionPageFactory(title="Reviews", slug="reviews")
    hot = ArticlePageFactory(parent=news, title="The hot story")
    warm = ArticlePageFactory(parent=reviews, title="The warm review")
    old_news = ArticlePageFactory(parent=news, title="Read a lot, two days ago")
    private = ArticlePageFactory(parent=news, title="Private but popular")
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    pulled = ArticlePageFactory(parent=news, title="Pulled after publishing")
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    add_reads(now, {hot.pk: 30, warm.pk: 10, private.pk: 99, pulled.pk: 98})
    add_reads(now - timedelta(hours=30), {old_news.pk: 500})
    pulled.unpublish()

    def most_read(url):
        tree = lxml_html.fromstring(client.get(url).content)
        return tree.xpath("//section[@class='story-ranking']//li/a/text()")

    assert most_read("/") == ["The hot story", "The warm review"]
    assert most_read(news.url) == ["The hot story"]
    assert most_read(reviews.url) == ["The warm review"]

    hot.unpublish()  # a new generation: the kept list is worked out again
    assert most_read("/") == ["The warm review"]


def test_trending_shows_a_franchises_stories_rising_fastest(client, settings):
    settings.READ_COUNTS_REDIS_URL = ""
    news = SectionPageFactory(title="News", slug="news")
    franchise = FranchiseTagFactory(name="Ironbound", slug="ironbound")
    rising = ArticlePageFactory(parent=news, title="Rising fast", tags=[franchise])
    steady = ArticlePageFactory(parent=news, title="Big but fading", tags=[franchise])
    slowly = ArticlePageFactory(parent=news, title="Rising slowly", tags=[franchise])
    elsewhere = ArticlePageFactory(parent=news, title="Rising, other franchise")
    now = timezone.now()
    add_reads(now - timedelta(hours=9), {steady.pk: 200, rising.pk: 1, slowly.pk: 5})
    add_reads(now - timedelta(hours=1), {steady.pk: 50, rising.pk: 40, slowly.pk: 15, elsewhere.pk: 90})
    tree = lxml_html.fromstring(client.get("/franchises/ironbound/").content)
    assert tree.xpath("//section[@class='story-ranking']//h2/text()") == ["Trending in Ironbound"]
    assert tree.xpath("//section[@class='story-ranking']//li/a/text()") == ["Rising fast", "Rising slowly"]


def test_editors_see_a_storys_reads_and_the_dashboard_chart(client, admin_client, story, settings):
    settings.READ_COUNTS_REDIS_URL = ""
    now = timezone.now()
    add_reads(now, {story.pk: 12})
    add_reads(now - timedelta(hours=30), {story.pk: 5})
    add_reads(now - timedelta(days=9), {story.pk: 1000})  # outside the week
    page = lxml_html.fromstring(admin_client.get(f"{ADMIN}/reads/{story.pk}/").content)
    assert page.xpath("string(//*[@data-reads='24h'])") == "12"
    assert page.xpath("string(//*[@data-reads='7d'])") == "17"
    assert len(page.xpath("//figure[@class='reads-chart'][1]//svg/rect")) == 24
    edit = admin_client.get(f"{ADMIN}/pages/{story.pk}/edit/").content.decode()
    assert f"{ADMIN}/reads/{story.pk}/" in edit

    dashboard = lxml_html.fromstring(admin_client.get(f"{ADMIN}/").content)
    panel = dashboard.xpath("//*[@id='reads-content']")[0]
    assert panel.xpath("string(.//*[@data-reads='24h'])") == "12"
    assert panel.xpath(".//ol[@class='reads-most-read']/li/a/text()") == ["Night Ledger renewed"]

    # Someone with admin access but no right to edit the story sees nothing of it.
    stranger = UserFactory(username="stranger")
    stranger.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(stranger)
    # Wagtail's answer to PermissionDenied: back to the dashboard, with a message.
    refused = client.get(f"{ADMIN}/reads/{story.pk}/", follow=True)
    assert refused.redirect_chain == [(f"{ADMIN}/", 302)]
    assert "do not have permission" in refused.content.decode()
    assert 'class="reads-totals"' not in refused.content.decode()
    assert client.get(f"{ADMIN}/reads/999999/").status_code == 404


def test_hours_ago_helper_keeps_reads_in_their_hour(story, settings):
    settings.READ_COUNTS_REDIS_URL = ""
    add_reads(hours_ago(2).replace(minute=0, second=0, microsecond=0), {story.pk: 2})
    add_reads(hours_ago(2).replace(minute=0, second=0, microsecond=0), {story.pk: 3})
    assert list(StoryReadHour.objects.values_list("reads", flat=True)) == [5]
