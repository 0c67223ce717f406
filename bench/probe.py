"""In-process measurements for `make bench`, run by bench/run.py inside the
bench database's settings: what a load generator cannot see (queries per
page, search latency per backend, the newsroom's admin, reindexing).

    python bench/probe.py urls|images|queries|after_publish|search|newsroom|reindex|alerts

Prints one JSON object on stdout; progress goes to stderr.
"""

import gc
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from wagtail.search import index as wagtail_index  # noqa: E402

from lxml import html as lxml_html  # noqa: E402

from alerts.models import AlertDelivery, Follow, Follower  # noqa: E402
from alerts.outbox import record_publication  # noqa: E402
from news.models import ArticleAuthor, ArticlePage, Author, FranchiseTag, SectionPage, SeriesHubPage  # noqa: E402
from readership.counter import beacon_token  # noqa: E402
from search import reader_index  # noqa: E402
from search.elasticsearch import engine, get_client, rebuild, sync_article  # noqa: E402
from search.models import ReaderWord  # noqa: E402
from tests.factories import article_form_data  # noqa: E402

HOST = "127.0.0.1"


def client():
    return Client(HTTP_HOST=HOST)


def beacon_url():
    """The read beacon of the article the reader pages measure."""
    article = ArticlePage.objects.cards().filter(title__startswith="Review").first()
    article = article or ArticlePage.objects.cards().first()
    return {"beacon": reverse("readership:story_read", args=[article.pk, beacon_token(article.pk)])}


def reader_urls():
    """One of each reader page, chosen from the seeded archive."""
    article = ArticlePage.objects.cards().filter(title__startswith="Review").first()
    article = article or ArticlePage.objects.cards().first()
    section = SectionPage.objects.live().filter(depth=3).first()
    hub = SeriesHubPage.objects.live().first()
    tag = FranchiseTag.objects.with_story_counts().order_by("-story_count").first()
    author = Author.objects.annotate(stories=Count("article_credits")).order_by("-stories").first()
    return {
        "home": "/",
        "section": section.url,
        "article": article.url,
        "series_hub": hub.url,
        "franchise": tag.get_absolute_url(),
        "author": author.get_absolute_url(),
        "search": f"/search/?q={hub.title.split()[-1].lower()}",
        "feed": "/feeds/latest.rss",
        "section_feed": f"/feeds/section/{section.slug}.atom",
        "series_feed": f"/feeds/series/{hub.slug}.rss",
        "franchise_feed": f"/feeds/franchise/{tag.slug}.rss",
        "author_feed": f"/feeds/author/{author.slug}.atom",
        "sitemap_index": "/sitemap.xml",
        "sitemap_pages": "/sitemap-pages.xml",
        # A full file: every file of stories but the last holds STORIES_PER_FILE.
        "sitemap_stories": "/sitemap-stories.xml",
        "news_sitemap": "/news-sitemap.xml",
        "api_listing": "/api/v2/pages/?type=news.ArticlePage&fields=standfirst,byline,first_published_at",
    }


def search_queries():
    """A reader's mix: a series, a franchise, two words, a misspelling, a
    story's unique code, nothing found, a facet alone."""
    hub = SeriesHubPage.objects.live().first()
    tag = FranchiseTag.objects.order_by("name").first()
    story = ArticlePage.objects.cards().first()
    code = story.title.rsplit("(", 1)[-1].rstrip(")") if "(" in story.title else story.title.split()[0]
    name = hub.title.split()[-1].lower()
    return [
        {"q": hub.title},
        {"q": tag.name},
        {"q": f"{name} renewed"},
        {"q": name[:-2] + name[-1] + name[-2]},
        {"q": code},
        {"q": "zzqx"},
        {"franchise": tag.slug},
    ]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def timed_search(rounds=5):
    browser = client()
    queries = search_queries()
    for params in queries:  # warm
        assert browser.get("/search/", params).status_code == 200
    # As config/wsgi.py does in production, once everything is loaded.
    gc.freeze()
    timings, degraded = [], False
    for _ in range(rounds):
        for params in queries:
            started = time.perf_counter()
            response = browser.get("/search/", params)
            timings.append((time.perf_counter() - started) * 1000)
            degraded = degraded or b"simpler mode" in response.content
    return {
        "queries": [params.get("q") or f"franchise={params['franchise']}" for params in queries],
        # As the run's environment set them (bench/run.py).
        "story_cards_kept": bool(settings.FRAGMENT_CACHE_SECONDS),
        "results_kept": bool(settings.SEARCH_RESULTS_SECONDS),
        "requests": len(timings),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "max_ms": round(max(timings), 1),
        "fell_back_to_database": degraded,
    }


def search_quality():
    """The judged set (tests/search/judged_set.py) added to this archive,
    scored on the reader search page and on Wagtail's own search backend
    over the same stories; rolled back afterwards."""
    from tests.search.judged_set import create_judged_stories, evaluate

    browser = client()

    def reader_search(query):
        response = browser.get("/search/", {"q": query})
        assert response.status_code == 200 and b"simpler mode" not in response.content
        return lxml_html.fromstring(response.content).xpath("//li[@class='result']//h2/a/text()")

    scores = {}
    with transaction.atomic():
        keys = create_judged_stories()
        judged = list(ArticlePage.objects.filter(title__in=keys).specific())
        if engine():
            reader_index_client = get_client()
            for story in judged:
                sync_article(story.pk, reader_index_client)
            scores[engine()] = evaluate(reader_search, keys)
            for story in judged:
                reader_index_client.remove(story.pk)
        else:
            reader_index.add_new_words()  # beat's job: typo candidates
            scores[f"talkies_{connection.vendor}"] = evaluate(reader_search, keys)
            for story in judged:
                wagtail_index.insert_or_update_object(story)
            for operator in ("and", "or"):
                scores[f"wagtail_{connection.vendor}_{operator}"] = evaluate(
                    lambda query, operator=operator: [
                        page.title
                        for page in ArticlePage.objects.live().public().search(query, operator=operator)[:10]
                    ],
                    keys,
                )
        transaction.set_rollback(True)
    return {
        name: {
            **{key: score[key] for key in ("ndcg_at_10", "must_find", "must_find_total", "misses", "per_query")},
            "must_find_missed": score["must_find_total"] - score["must_find"],
        }
        for name, score in scores.items()
    }


def query_counts():
    browser = client()
    counts = {}
    for name, url in reader_urls().items():
        browser.get(url)
        with CaptureQueriesContext(connection) as queries:
            status = browser.get(url).status_code
        counts[name] = {"url": url, "status": status, "queries": len(queries)}
    return counts


def cpu_after_publish(rounds=3, requests=10):
    """CPU per request of each reader page in this process, fragments kept as
    deployed, in the steady state and on the first request after a publish
    (a new generation before every request: routes, listings, the site and
    its settings are read again; story cards are kept by version and stay).
    As a multiple of the trivial view's, measured alike."""
    from django.conf import settings

    from caching.page_cache import new_generation

    settings.FRAGMENT_CACHE_SECONDS = 600
    browser = client()

    def cpu_ms(url, after_publish):
        for _ in range(2):
            assert browser.get(url).status_code == 200, url
        best = None
        for _ in range(rounds):
            spent = 0.0
            for _ in range(requests):
                if after_publish:
                    new_generation()
                started = time.process_time()
                browser.get(url)
                spent += time.process_time() - started
            best = spent if best is None else min(best, spent)
        return best / requests * 1000

    gc.freeze()
    trivial = cpu_ms("/__bench__/trivial", False)
    table = {"trivial_view": {"cpu_ms": round(trivial, 3)}}
    for name, url in reader_urls().items():
        steady, cold = cpu_ms(url, False), cpu_ms(url, True)
        table[name] = {
            "cpu_ms": round(steady, 2),
            "x_trivial_cpu": round(steady / trivial, 1),
            "cpu_ms_after_publish": round(cold, 2),
            "x_trivial_cpu_after_publish": round(cold / trivial, 1),
        }
    return table


def long_read_blocks(form=False):
    """Fifty blocks: headings, paragraphs, pull quotes and editor's notes."""
    from wagtail.test.utils.form_data import rich_text

    text = rich_text if form else (lambda html: html)
    blocks = []
    for number in range(10):
        blocks += [
            ("heading", {"text": f"Part {number}", "level": "h2"}),
            ("paragraph", text(f"<p>Paragraph {number} of a long read about the season.</p>")),
            ("pull_quote", {"quote": "It was the hardest scene to shoot.", "speaker": "Mara Quill"}),
            ("paragraph", text("<p>More text.</p>")),
            (
                "callout",
                {"kind": "editors_note", "title": "", "body": text("<p>Updated with the network's reply.</p>")},
            ),
        ]
    return blocks


def newsroom():
    """The admin edit view of a 50-block story, and publishing it."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.filter(is_superuser=True).first()
    section = SectionPage.objects.live().filter(depth=3).first()
    story = ArticlePage(
        title="Bench: a fifty-block long read", slug=f"bench-long-read-{int(time.time())}", body=long_read_blocks()
    )
    story.article_authors = [ArticleAuthor(author=Author.objects.first())]
    section.add_child(instance=story)
    story.save_revision(user=admin).publish()
    browser = client()
    browser.force_login(admin)
    edit_url = f"/{settings.WAGTAIL_ADMIN_PATH}/pages/{story.pk}/edit/"
    browser.get(edit_url)
    opened = []
    for _ in range(5):
        started = time.perf_counter()
        assert browser.get(edit_url).status_code == 200
        opened.append((time.perf_counter() - started) * 1000)
    published = []
    for attempt in range(3):
        data = article_form_data(
            story,
            blocks=long_read_blocks(form=True),
            action="action-publish",
            title=f"Bench long read {attempt}",
            publish_despite_checklist="on",
        )
        started = time.perf_counter()
        response = browser.post(edit_url, data)
        published.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 302, response.content.decode()[:3000]
    story.refresh_from_db()
    assert len(story.body) == 50 and story.title == "Bench long read 2"
    return {
        "blocks": 50,
        "edit_view_ms": round(statistics.median(opened), 1),
        "publish_request_ms": round(statistics.median(published), 1),
        **index_update_cost(section),
    }


WORDS_PER_PARAGRAPH = 60


def index_update_cost(section, blocks=50, runs=15):
    """What publishing a 50-block story spends on the database's reader
    index (search.reader_index.store, which the publish runs): a long read
    of 3,000 words drawn as prose draws them (Zipf's law over the archive's
    vocabulary, plus a few names new to it), rewritten before every run."""
    rng = random.Random(2026)
    vocabulary = list(ReaderWord.objects.order_by("word").values_list("word", flat=True)[:20000]) or ["season"]
    rng.shuffle(vocabulary)
    weights = [1 / rank for rank in range(1, len(vocabulary) + 1)]

    def paragraph(run):
        words = rng.choices(vocabulary, weights, k=WORDS_PER_PARAGRAPH - 2)
        return f"<p>{' '.join(words)} Benchname{run}x{rng.randrange(10**6)} Benchplace{run}.</p>"

    story = ArticlePage(title="Bench: index cost", slug=f"bench-index-cost-{int(time.time())}", body=[])
    story.article_authors = [ArticleAuthor(author=Author.objects.first())]
    section.add_child(instance=story)
    story.save_revision().publish()
    timings, distinct = [], 0
    for run in range(runs):
        # New text each run, written straight to the row, so that the timed
        # call does what a publish's does (unchanged text would cost less).
        story.body = [("paragraph", paragraph(run)) for _ in range(blocks)]
        ArticlePage.objects.filter(pk=story.pk).update(body=story.body)
        started = time.perf_counter()
        reader_index.store([story.pk])
        timings.append((time.perf_counter() - started) * 1000)
        distinct = len(set(" ".join(block.value.source for block in story.body).split()))
    return {
        "index_update_blocks": blocks,
        "index_update_words": WORDS_PER_PARAGRAPH * blocks,
        "index_update_distinct_words": distinct,
        "index_update_ms": round(statistics.median(timings), 1),
        "index_update_max_ms": round(max(timings), 1),
    }


def reindex():
    started = time.perf_counter()
    count = rebuild(progress=True)
    seconds = time.perf_counter() - started
    return {"stories": count, "seconds": round(seconds, 1), "stories_per_second": round(count / seconds)}


def relay(path):
    """What the bench's SMTP relay has received so far."""
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return {"received": 0, "recipients": 0}


def process_memory_kb(pid, field):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def publish_times(browser, section, count, **fields):
    author = Author.objects.first()
    times = []
    for _ in range(count):
        slug = f"bench-alert-{time.time_ns()}"
        data = article_form_data(
            author=author, title=f"Bench alert {slug}", slug=slug, action="action-publish", **fields
        )
        started = time.perf_counter()
        response = browser.post(f"/admin/pages/add/news/articlepage/{section.pk}/", data)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 302, response.content.decode()[:2000]
    return times, slug


def alerts(followers=100_000):
    """One story alert to FOLLOWERS followers, with one worker: the time the
    alert adds to the publish request, the time until every email is handed
    to the mail relay, and the worker's peak memory."""
    import socket
    import subprocess

    from django.contrib.auth import get_user_model

    from wagtail.signals import page_published

    from tqdm import tqdm

    tag, _ = FranchiseTag.objects.get_or_create(slug="bench-followed", defaults={"name": "Bench followed"})
    now = timezone.now()
    existing = Follower.objects.filter(email__endswith="@bench.invalid").count()
    for start in tqdm(range(existing, followers, 5000), desc="followers", unit_scale=5000, file=sys.stderr):
        batch = Follower.objects.bulk_create(
            [
                Follower(email=f"r{n}@bench.invalid", confirmed_at=now)
                for n in range(start, min(start + 5000, followers))
            ]
        )
        Follow.objects.bulk_create([Follow(follower=follower, franchise=tag, confirmed_at=now) for follower in batch])

    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        smtp_port = probe_socket.getsockname()[1]
    relay_counts = Path(tempfile.mkdtemp(prefix="talkies-relay-")) / "counts.json"
    sink = subprocess.Popen([sys.executable, "bench/smtp_sink.py", str(smtp_port), str(relay_counts), "bench.invalid"])
    worker_env = {**os.environ, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port), "EMAIL_USE_TLS": "false"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--hostname=bench-alerts@%h"],
        env=worker_env, stdout=subprocess.DEVNULL, stderr=sys.stderr,
    )  # fmt: skip
    try:
        time.sleep(6)  # worker start-up
        admin = get_user_model().objects.filter(is_superuser=True).first()
        section = SectionPage.objects.live().filter(depth=3).first()
        browser = client()
        browser.force_login(admin)
        publish_times(browser, section, 2)  # warm-up
        # Interleaved, so that drift on a shared machine falls on both sides.
        without_alerts, with_alerts = [], []
        for _ in range(9):
            page_published.disconnect(dispatch_uid="talkies_alert_publication")
            without_alerts += publish_times(browser, section, 1)[0]
            page_published.connect(record_publication, dispatch_uid="talkies_alert_publication")
            with_alerts += publish_times(browser, section, 1)[0]
            time.sleep(0.5)  # let the worker finish the (empty) fan-out it was just given
        memory_before_kb = process_memory_kb(worker.pid, "VmHWM")

        started = time.perf_counter()
        request_ms, slug = publish_times(browser, section, 1, franchise_tags='"Bench followed"')
        story = ArticlePage.objects.get(slug=slug)
        baseline = relay(relay_counts)["received"]  # 0: the warm-up's stories are not the bench followers'
        with tqdm(total=followers, desc="alerts received by the relay", file=sys.stderr) as bar:
            while (received := relay(relay_counts)["received"] - baseline) < followers:
                bar.update(received - bar.n)
                assert worker.poll() is None, "the worker died"
                time.sleep(0.2)
            bar.update(received - bar.n)
        total_seconds = time.perf_counter() - started
        memory_peak_kb = process_memory_kb(worker.pid, "VmHWM")
        time.sleep(2)  # anything sent twice arrives now or never
        counts = relay(relay_counts)
        sent = AlertDelivery.objects.filter(alert__article=story, status="sent").count()
    finally:
        worker.terminate()
        sink.terminate()
        worker.wait(30)
        sink.wait(10)
    return {
        "followers": followers,
        "publish_request_ms_without_alerts": round(statistics.median(without_alerts), 1),
        "publish_request_ms_with_alerts": round(statistics.median(with_alerts), 1),
        "publish_request_added_ms": round(statistics.median(with_alerts) - statistics.median(without_alerts), 1),
        "publish_request_ms_100k_story": round(request_ms[0], 1),
        "all_emails_handed_over_seconds": round(total_seconds, 1),
        "emails_received_by_relay": counts["received"] - baseline,
        "distinct_recipients_at_relay": counts["recipients"],
        "deliveries_marked_sent": sent,
        "emails_lost_at_relay": followers - counts["recipients"],
        "emails_doubled_at_relay": counts["received"] - baseline - counts["recipients"],
        "emails_per_second": round(followers / total_seconds),
        "worker_peak_memory_mb_before": round(memory_before_kb / 1024, 1),
        "worker_peak_memory_mb": round(memory_peak_kb / 1024, 1),
    }


def largest_candidate(srcset):
    """The widest file in a `srcset` ("a.avif 640w, b.avif 1280w")."""
    candidates = [item.split() for item in srcset.split(",") if item.strip()]
    return max(candidates, key=lambda item: int(item[1].rstrip("w")) if len(item) > 1 else 0)[0]


def stored_bytes(url):
    with default_storage.open(url.removeprefix(settings.MEDIA_URL)) as stored:
        return len(stored.read())


def image_bytes(runs=3):
    """The article page's pictures: bytes of the widest file a browser may
    pick in each format (AVIF, WebP, the JPEG fallback), and the CPU time
    to make the hero's widest rendition in each, when a story is first shown."""
    url = reader_urls()["article"]
    tree = lxml_html.fromstring(client().get(url).content)
    totals = {"avif": 0, "webp": 0, "jpeg": 0}
    pictures = tree.xpath("//picture")
    for picture in pictures:
        # libxml2's HTML parser nests each <source> in the one before: read descendants.
        for source in picture.iter("source"):
            totals[source.get("type").removeprefix("image/")] += stored_bytes(largest_candidate(source.get("srcset")))
        img = next(picture.iter("img"))
        totals["jpeg"] += stored_bytes(largest_candidate(img.get("srcset") or img.get("src")))
    story = ArticlePage.objects.get(url_path__endswith=url.split("/")[-2] + "/")
    encode_ms = {}
    for kind in totals:
        spec = f"fill-1280x720-c100|format-{kind}"
        timings = []
        for _ in range(runs):
            story.hero_image.renditions.filter(filter_spec=spec).delete()
            started = time.process_time()
            story.hero_image.get_rendition(spec)
            timings.append((time.process_time() - started) * 1000)
        encode_ms[kind] = round(min(timings), 1)
    return {
        "url": url,
        "pictures": len(pictures),
        "bytes": totals,
        "avif_saved_vs_webp_percent": round(100 * (1 - totals["avif"] / totals["webp"]), 1),
        "avif_saved_vs_jpeg_percent": round(100 * (1 - totals["avif"] / totals["jpeg"]), 1),
        "hero_1280_rendition_cpu_ms": encode_ms,
    }


def live_story():
    """A live story running now, with one update, and a breaking-news banner
    up for the rest of the run, linking to it."""
    from live.models import BreakingNewsBanner, LiveCoverage, LiveUpdate

    story = ArticlePage.objects.cards().filter(series__isnull=False).first()
    coverage, _ = LiveCoverage.objects.get_or_create(page=story)
    update = LiveUpdate.objects.create(coverage=coverage, headline="Doors open", body=[("paragraph", "<p>Go.</p>")])
    update.authors.set(Author.objects.all()[:1])
    BreakingNewsBanner.objects.create(
        text="Live now: the bench's awards night", link=story, expires_at=timezone.now() + timedelta(hours=3)
    )
    return {"page_id": story.pk, "story": story.url, "fragment": f"/live/{story.pk}/updates/"}


def live_writer(page_id, updates, interval):
    """Post `updates` updates to the live story, one every `interval`
    seconds, as the live desk saves them (its purges included): one line of
    JSON per update, with the wall-clock time it was posted."""
    from live.models import LiveCoverage, LiveUpdate

    coverage = LiveCoverage.objects.get(page_id=page_id)
    author = Author.objects.first()
    started = time.monotonic()
    for number in range(updates):
        time.sleep(max(0.0, started + number * interval - time.monotonic()))
        posted = time.time()
        with transaction.atomic():
            update = LiveUpdate.objects.create(
                coverage=coverage, headline=f"Bench update {number}", body=[("paragraph", f"<p>Update {number}.</p>")]
            )
            update.authors.set([author])
        print(json.dumps({"id": update.pk, "posted": posted}), flush=True)
    return {"updates": updates}


if __name__ == "__main__":
    part = sys.argv[1]
    result = {
        "urls": reader_urls,
        "beacon_url": beacon_url,
        "images": image_bytes,
        "queries": query_counts,
        "after_publish": cpu_after_publish,
        "search": timed_search,
        "quality": search_quality,
        "newsroom": newsroom,
        "reindex": reindex,
        "alerts": lambda: alerts(int(os.environ.get("BENCH_FOLLOWERS", 100_000))),
        "live_story": live_story,
        "live_writer": lambda: live_writer(
            int(os.environ["BENCH_LIVE_PAGE_ID"]),
            int(os.environ.get("BENCH_LIVE_UPDATES", 6)),
            float(os.environ.get("BENCH_LIVE_INTERVAL", 10)),
        ),
    }[part]()
    print(json.dumps(result))
