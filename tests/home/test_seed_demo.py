from django.core.management import call_command
from django.urls import reverse

import pytest
from lxml import html as lxml_html

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
    assert hub.seasons.count() == 2
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
