"""Create the demo newsroom: sections, series hubs, franchises, authors,
stories with images, and an admin login. Safe to run again: what exists is
kept. For thousands more stories, `manage.py seed_bench_stories N` (bench/)."""

import io
import random
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from editorial.models import PlannedStory
from editorial.newsroom import COPY_EDITORS, EDITORS, WRITERS, setup_newsroom
from home import demo_content as demo
from home.models import HomeFeaturedStory, HomePage
from live.models import LiveCoverage, LiveUpdate
from news.models import (
    ArticleAuthor,
    ArticlePage,
    Author,
    FranchiseTag,
    SectionPage,
    SeriesHubPage,
    SeriesIndexPage,
    SeriesSeason,
)
from news.models.reviews import ReviewedKind
from readership.counter import add_reads
from readership.models import StoryReadHour
from search import reader_index

ADMIN_USERNAME = "admin"
DEMO_PASSWORD_SETTING = "DEMO_ADMIN_PASSWORD"
DEFAULT_DEMO_PASSWORD = "talkies-demo"
PALETTE = [
    ((20, 24, 45), (164, 22, 26)),
    ((10, 40, 60), (230, 160, 40)),
    ((35, 10, 50), (90, 180, 200)),
    ((15, 45, 30), (220, 200, 120)),
    ((50, 20, 20), (240, 120, 90)),
    ((25, 25, 25), (150, 150, 210)),
]


class Command(BaseCommand):
    help = "Create demo content (idempotent) and print the demo admin login."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run with production settings too, e.g. for benchmarks."
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed, for repeatable content.")

    def handle(self, *args, force=False, seed=2026, verbosity=1, **options):
        if not settings.DEMO_CONTENT_ALLOWED and not force:
            raise CommandError(
                "seed_demo writes demo users and stories; it runs with the dev and test settings, "
                "or with --force (never on a real production site)."
            )
        self.verbosity = verbosity
        self.random = random.Random(seed)

        with transaction.atomic():
            home = self.ensure_home()
            images = self.ensure_images()
            sections = self.ensure_sections(home)
            tags = self.ensure_franchises()
            authors = self.ensure_authors(images)
            hubs = self.ensure_series(home, images, tags)
            flagship = self.ensure_flagship(sections, hubs, tags, authors, images)
            self.ensure_stories(sections, hubs, tags, authors, images)
            self.ensure_featured(home, flagship)
            self.ensure_live_stories(sections, tags, authors, images)
            setup_newsroom()
            password = self.ensure_admin()
            newsroom_users = self.ensure_newsroom_users(password, authors)
            self.ensure_calendar(sections, hubs, authors, images)
            self.ensure_reads()
            # What beat does every 30 s, done now: misspellings work from the first search.
            while reader_index.add_new_words():
                pass

        self.say(f"Demo content ready: {ArticlePage.objects.live().count()} live stories.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin login: {settings.WAGTAILADMIN_BASE_URL}/{settings.WAGTAIL_ADMIN_PATH}/ "
                f"user '{ADMIN_USERNAME}' password '{password}'"
            )
        )
        for username, role in newsroom_users:
            self.stdout.write(f"  {role}: user '{username}' password '{password}'")

    def say(self, message):
        if self.verbosity:
            self.stdout.write(message)

    # --- pages -----------------------------------------------------------
    def ensure_home(self):
        home = HomePage.objects.first()
        if home is None:
            root = Page.get_first_root_node()
            home = root.add_child(instance=HomePage(title="Talkies", slug="home"))
        if home.title == "Home" or not home.tagline:
            home.title = "Talkies"
            home.tagline = "TV, film and streaming news, every day."
            home.save_revision().publish()
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(
                hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Talkies"
            )
        elif site.root_page_id != home.pk or site.site_name != "Talkies":
            site.root_page = home
            site.site_name = "Talkies"
            site.save()
        return home

    def ensure_sections(self, home):
        sections = {}
        for title, slug, intro in demo.SECTIONS:
            section = SectionPage.objects.child_of(home).filter(slug=slug).first()
            if section is None:
                section = home.add_child(
                    instance=SectionPage(
                        title=title,
                        slug=slug,
                        intro=intro,
                        show_in_menus=True,
                        # The reviews desk rates in stars, and readers filter it by rating.
                        rating_scale=5 if slug == "reviews" else None,
                    )
                )
                section.save_revision().publish()
            sections[slug] = section
        return sections

    def ensure_franchises(self):
        tags = {}
        for name, slug, description in demo.FRANCHISES:
            tag, _ = FranchiseTag.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
            tags[name] = tag
        return tags

    def ensure_authors(self, images):
        authors = {}
        for index, (name, slug, role, bio) in enumerate(demo.AUTHORS):
            author, _ = Author.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "role": role,
                    "bio": bio,
                    "email": f"{slug}@talkies.localhost",
                    "x_handle": slug.replace("-", ""),
                    "photo": images[(index + 2) % len(images)],
                },
            )
            authors[slug] = author
        return authors

    def ensure_series(self, home, images, tags):
        index = SeriesIndexPage.objects.child_of(home).first()
        if index is None:
            index = home.add_child(
                instance=SeriesIndexPage(
                    title="Series", slug="series", intro="Every show and film series we cover.", show_in_menus=True
                )
            )
            index.save_revision().publish()
        hubs = {}
        for position, spec in enumerate(demo.SERIES):
            hub = SeriesHubPage.objects.child_of(index).filter(slug=spec["slug"]).first()
            if hub is None:
                hub = SeriesHubPage(
                    title=spec["title"],
                    slug=spec["slug"],
                    network=spec["network"],
                    status=spec["status"],
                    description=spec["description"],
                    key_art=images[position % len(images)],
                    key_art_alt_text=f"Key art for {spec['title']}",
                )
                for number, premiere, episodes, summary in spec["seasons"]:
                    hub.seasons.add(
                        SeriesSeason(
                            number=number,
                            premiere_date=date.fromisoformat(premiere) if premiere else None,
                            episode_count=episodes,
                            summary=summary,
                        )
                    )
                hub.franchise_tags.set([tags[name] for name in spec["franchises"]])
                index.add_child(instance=hub)
                hub.save_revision().publish()
            hubs[spec["slug"]] = hub
        return hubs

    def _publish_article(self, section, article, published_at):
        section.add_child(instance=article)
        article.save_revision().publish()
        ArticlePage.objects.filter(pk=article.pk).update(
            first_published_at=published_at, last_published_at=published_at
        )
        # As if published then: the reader index copies the date.
        reader_index.store([article.pk])
        return article

    def ensure_flagship(self, sections, hubs, tags, authors, images):
        spec = demo.FLAGSHIP
        existing = ArticlePage.objects.filter(slug=spec["slug"]).first()
        if existing:
            return existing
        article = ArticlePage(
            title=spec["title"],
            slug=spec["slug"],
            standfirst=spec["standfirst"],
            hero_image=images[0],
            hero_alt_text="Mara Quill as Dana Vex, standing in the rain outside her office",
            hero_caption="Mara Quill returns as Dana Vex in Night Ledger season 2.",
            hero_credit="Courtesy of Streamline",
            series=hubs[spec["series"]],
            season_number=spec["season"],
            body=[(kind, value) for kind, value in spec["body"]],
            search_description=spec["standfirst"],
            sources=[("source", {"description": description, "url": url}) for description, url in spec["sources"]],
        )
        article.article_authors.add(ArticleAuthor(author=authors[spec["author"]]))
        article.franchise_tags.set([tags[name] for name in spec["franchises"]])
        return self._publish_article(sections[spec["section"]], article, timezone.now() - timedelta(minutes=30))

    def ensure_stories(self, sections, hubs, tags, authors, images):
        if ArticlePage.objects.count() > 1:
            return
        author_list = list(authors.values())
        hub_specs = {spec["slug"]: spec for spec in demo.SERIES}
        now = timezone.now()
        number = 0
        for hub_slug, hub in hubs.items():
            spec = hub_specs[hub_slug]
            for section_slug, headline, standfirst in demo.STORY_PATTERNS[:6]:
                number += 1
                franchise = spec["franchises"][0]
                title = headline.format(
                    series=hub.title, network=hub.network, season=spec["seasons"][-1][0], franchise=franchise
                )
                paragraphs = self.random.sample(demo.PARAGRAPHS, 4)
                body = [("paragraph", f"<p>{text}</p>") for text in paragraphs[:2]]
                body.append(("heading", {"text": "What we know", "level": "h2"}))
                body += [("paragraph", f"<p>{text}</p>") for text in paragraphs[2:]]
                article = ArticlePage(
                    title=title,
                    slug=slugify(title)[:70],
                    standfirst=standfirst,
                    hero_image=images[number % len(images)],
                    hero_alt_text=f"A still from {hub.title}",
                    series=hub,
                    body=body,
                )
                article.article_authors.add(ArticleAuthor(author=author_list[number % len(author_list)]))
                if number % 3 == 0:
                    article.article_authors.add(ArticleAuthor(author=author_list[(number + 1) % len(author_list)]))
                if section_slug == "reviews":
                    self.give_verdict(article, hub, spec["seasons"][-1][0], number)
                article.franchise_tags.set([tags[name] for name in spec["franchises"]])
                self._publish_article(sections[section_slug], article, now - timedelta(hours=6 * number + 1))
        for title, year, platform, rating, franchise in demo.FILM_REVIEWS:
            number += 1
            article = ArticlePage(
                title=f"Review: {title}",
                slug=slugify(f"review {title}")[:70],
                standfirst=f"Our verdict on {title}.",
                hero_image=images[number % len(images)],
                hero_alt_text=f"A still from {title}",
                body=[("paragraph", f"<p>{text}</p>") for text in self.random.sample(demo.PARAGRAPHS, 3)],
                rating=Decimal(rating),
                reviewed_kind=ReviewedKind.FILM,
                reviewed_title=title,
                reviewed_year=year,
                reviewed_network=platform,
                verdict=demo.VERDICTS[int(Decimal(rating))],
            )
            article.article_authors.add(ArticleAuthor(author=author_list[number % len(author_list)]))
            article.franchise_tags.set([tags[franchise]])
            self._publish_article(sections["reviews"], article, now - timedelta(hours=6 * number + 1))
        self.say(f"Created {number} demo stories.")

    def give_verdict(self, article, hub, season, number):
        rating = Decimal(demo.DEMO_RATINGS[number % len(demo.DEMO_RATINGS)])
        article.rating = rating
        article.reviewed_kind = ReviewedKind.SEASON
        article.season_number = season
        article.verdict = demo.VERDICTS[max(1, int(rating))]

    def ensure_featured(self, home, flagship):
        if home.featured_stories.exists():
            return
        picks = [flagship] + list(
            ArticlePage.objects.live().exclude(pk=flagship.pk).order_by("-first_published_at")[:3]
        )
        for order, story in enumerate(picks):
            HomeFeaturedStory.objects.create(page=home, story=story, sort_order=order)
        # The live home page is the page row itself; keep its latest revision in step.
        HomePage.objects.get(pk=home.pk).save_revision().publish()

    def ensure_live_stories(self, sections, tags, authors, images):
        """An ended live story with its updates kept in order, and one still running."""
        self.ensure_demo_embed()
        author_list = list(authors.values())
        now = timezone.now()
        for spec in demo.LIVE_STORIES:
            if ArticlePage.objects.filter(slug=spec["slug"]).exists():
                continue
            starts_at = now - timedelta(hours=spec["starts_hours_ago"])
            story = ArticlePage(
                title=spec["title"],
                slug=spec["slug"],
                standfirst=spec["standfirst"],
                hero_image=images[len(spec["updates"]) % len(images)],
                hero_alt_text="The stage before the doors open",
                body=[("paragraph", f"<p>{spec['standfirst']}</p>")],
            )
            story.article_authors.add(ArticleAuthor(author=author_list[0]))
            story.franchise_tags.set([tags[spec["franchise"]]])
            self._publish_article(sections[spec["section"]], story, starts_at)
            ends = spec["ends_after_minutes"]
            coverage = LiveCoverage.objects.create(
                page=story, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=ends) if ends else None
            )
            for number, (minute, headline, text, flag) in enumerate(spec["updates"]):
                body = [("paragraph", f"<p>{text}</p>")]
                if flag == "image":
                    picture = {"image": images[number % len(images)], "alt_text": text, "credit": "Talkies"}
                    body.append(("image", picture))
                elif flag == "embed":
                    body.append(("embed", {"url": demo.DEMO_EMBED_URL, "kind": "video", "caption": ""}))
                elif flag == "quote":
                    body = [("pull_quote", {"quote": text, "speaker": "Theo Marsh", "speaker_role": "Actor"})]
                update = LiveUpdate.objects.create(
                    coverage=coverage,
                    posted_at=starts_at + timedelta(minutes=minute),
                    headline=headline,
                    body=body,
                    key_event=flag == "key",
                    pinned=flag == "pin",
                )
                update.authors.set([author_list[number % len(author_list)]])
        self.say(f"Live stories: {LiveCoverage.objects.count()}.")

    def ensure_demo_embed(self):
        """The demo's video, as if fetched from the provider once: the demo works offline."""
        Embed.objects.update_or_create(
            hash=get_embed_hash(demo.DEMO_EMBED_URL),
            defaults={
                "url": demo.DEMO_EMBED_URL,
                "type": "video",
                "html": (
                    '<iframe width="560" height="315" title="Starlight Awards: the host\'s monologue" '
                    'src="https://www.youtube-nocookie.com/embed/talkies-demo" allowfullscreen></iframe>'
                ),
                "title": "Starlight Awards: the host's monologue",
                "provider_name": "YouTube",
                "width": 560,
                "height": 315,
            },
        )

    # --- images and users ------------------------------------------------
    def ensure_images(self):
        Image = get_image_model()
        images = list(Image.objects.filter(title__startswith="Demo still").order_by("title"))
        if len(images) >= len(PALETTE):
            return images
        for index, colours in enumerate(PALETTE):
            title = f"Demo still {index + 1}"
            if Image.objects.filter(title=title).exists():
                continue
            Image.objects.create(
                title=title,
                description=f"An abstract still in {len(colours)} colours",
                file=ImageFile(render_demo_image(index, colours), name=f"demo-still-{index + 1}.jpg"),
            )
        return list(Image.objects.filter(title__startswith="Demo still").order_by("title"))

    def ensure_newsroom_users(self, password, authors):
        User = get_user_model()
        created = []
        for username, group_name, author_slug, role in NEWSROOM_USERS:
            author = authors[author_slug]
            first, _, last = author.name.partition(" ")
            user, _ = User.objects.get_or_create(
                username=username,
                defaults={"email": author.email, "first_name": first, "last_name": last, "is_staff": False},
            )
            if not user.check_password(password):
                user.set_password(password)
                user.save()
            user.groups.add(Group.objects.get(name=group_name))
            created.append((username, role))
        return created

    def ensure_calendar(self, sections, hubs, authors, images):
        """A month ahead: upcoming premieres, pitches for them assigned to
        the demo writers, and stories held under embargo."""
        if PlannedStory.objects.exists():
            return
        today = timezone.localdate()
        User = get_user_model()
        writers = list(User.objects.filter(username__in=[row[0] for row in NEWSROOM_USERS]).order_by("username"))
        for offset, (hub, pitch, section) in enumerate(demo.CALENDAR_PITCHES):
            hub_page = hubs[hub]
            premiere = today + timedelta(days=4 + 6 * offset)
            number = (hub_page.seasons.aggregate(Max("number"))["number__max"] or 0) + 1
            hub_page.seasons.create(number=number, premiere_date=premiere)
            hub_page.save_revision().publish()
            for days_before, title in ((2, pitch), (-1, f"Review: {hub_page.title} season {number}")):
                PlannedStory.objects.create(
                    working_title=title.format(series=hub_page.title, season=number),
                    section=sections["reviews" if title.startswith("Review") else section],
                    series=hub_page,
                    assignee=writers[(offset + days_before) % len(writers)] if writers else None,
                    target_date=premiere - timedelta(days=days_before),
                    notes=f"Season {number} premieres on {premiere:%d %B}.",
                )
        author_list = list(authors.values())
        for number, (title, standfirst) in enumerate(demo.EMBARGOED_STORIES):
            story = ArticlePage(
                title=title,
                slug=slugify(title)[:70],
                standfirst=standfirst,
                hero_image=images[number % len(images)],
                hero_alt_text="A still from the announcement",
                body=[("paragraph", f"<p>{text}</p>") for text in self.random.sample(demo.PARAGRAPHS, 3)],
                go_live_at=timezone.now() + timedelta(days=2 + 9 * number, hours=3),
            )
            story.article_authors.add(ArticleAuthor(author=author_list[number % len(author_list)]))
            sections["news"].add_child(instance=story)
            story.save_revision().publish()  # held until go_live_at: an embargo
        self.say("Planned a month of coverage.")

    def ensure_reads(self):
        """A week of reads, so the most-read lists and the admin charts show something."""
        if StoryReadHour.objects.exists():
            return
        now = timezone.now()
        stories = list(ArticlePage.objects.live().order_by("-first_published_at").values_list("pk", flat=True))
        for hours_back in range(7 * 24):
            counts = {pk: self.random.randint(0, 40 // (rank + 1)) for rank, pk in enumerate(stories[:12])}
            add_reads(now - timedelta(hours=hours_back), {pk: reads for pk, reads in counts.items() if reads})

    def ensure_admin(self):
        User = get_user_model()
        password = getattr(settings, DEMO_PASSWORD_SETTING, None) or DEFAULT_DEMO_PASSWORD
        user, created = User.objects.get_or_create(
            username=ADMIN_USERNAME,
            defaults={"email": "admin@talkies.localhost", "is_staff": True, "is_superuser": True},
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.is_staff = user.is_superuser = user.is_active = True
            user.save()
        return password


NEWSROOM_USERS = [
    # username, group, author slug (their byline), role shown at login
    ("writer", WRITERS, "niko-parrish", "Writer"),
    ("copyeditor", COPY_EDITORS, "lena-hart", "Copy editor"),
    ("editor", EDITORS, "ada-okonkwo", "Editor"),
]


def render_demo_image(index, colours, size=(1600, 900)):
    """A generated still: a diagonal gradient with simple shapes, as JPEG bytes."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    width, height = size
    (r1, g1, b1), (r2, g2, b2) = colours
    image = PILImage.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 8):
        t = x / width
        draw.rectangle(
            [x, 0, x + 8, height],
            fill=(int(r1 + (r2 - r1) * t), int(g1 + (g2 - g1) * t), int(b1 + (b2 - b1) * t)),
        )
    rng = random.Random(index)
    for _ in range(6):
        cx, cy, radius = rng.randint(0, width), rng.randint(0, height), rng.randint(60, 260)
        draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], outline=(255, 255, 255), width=6)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    buffer.seek(0)
    return buffer
