"""Create many live stories at once, for benchmarks and load tests.

Wagtail's `add_child` + `publish` costs tens of milliseconds per page; 10,000
stories that way takes minutes. Here the page tree paths are computed once
per section and rows are inserted in batches: the base `Page` rows, then the
`ArticlePage` rows that extend them, then bylines and franchise tags. The
result is the same tree Wagtail would build, minus revisions and index
entries (rebuild the search index with `manage.py update_index`).
"""

import random
import uuid
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from wagtail.images import get_image_model
from wagtail.models import Page

from tqdm import tqdm

from home import demo_content as demo
from news.models import (
    ArticleAuthor,
    ArticleFranchiseTag,
    ArticlePage,
    Author,
    FranchiseTag,
    SectionPage,
    SeriesHubPage,
)

BATCH_SIZE = 500


def bulk_create_articles(count, seed=2026, progress=True, published_within_days=365):
    rng = random.Random(seed)
    sections = list(SectionPage.objects.live().order_by("path"))
    if not sections:
        raise RuntimeError("Run seed_demo first: bulk stories need sections to live in.")
    hubs = list(SeriesHubPage.objects.live().order_by("pk"))
    tags = list(FranchiseTag.objects.order_by("pk"))
    authors = list(Author.objects.order_by("pk"))
    image_ids = list(get_image_model().objects.order_by("pk").values_list("pk", flat=True)[:20])
    content_type = ContentType.objects.get_for_model(ArticlePage)
    now = timezone.now()
    next_step = {section.pk: _last_child_step(section) + 1 for section in sections}
    run_id = uuid.uuid4().hex[:6]

    bar = tqdm(total=count, desc="Creating stories", unit="story", disable=not progress)
    created = 0
    while created < count:
        size = min(BATCH_SIZE, count - created)
        with transaction.atomic():
            pages, extras = [], []
            per_section = {section.pk: 0 for section in sections}
            for offset in range(size):
                number = created + offset + 1
                section = sections[number % len(sections)]
                hub = hubs[number % len(hubs)] if hubs and number % 4 else None
                step = next_step[section.pk]
                next_step[section.pk] += 1
                per_section[section.pk] += 1
                pattern_section, headline, standfirst = demo.STORY_PATTERNS[number % len(demo.STORY_PATTERNS)]
                title = (
                    headline.format(
                        series=hub.title if hub else "The Late Shift",
                        network=hub.network if hub else "Lanternfly",
                        season=1 + number % 5,
                        franchise=tags[number % len(tags)].name if tags else "Talkies",
                    )
                    + f" ({run_id}-{number})"
                )
                slug = f"story-{run_id}-{number}"
                published = now - timedelta(minutes=rng.randint(60, published_within_days * 24 * 60))
                pages.append(
                    Page(
                        title=title,
                        draft_title=title,
                        slug=slug,
                        content_type=content_type,
                        path=Page._get_path(section.path, section.depth + 1, step),
                        depth=section.depth + 1,
                        numchild=0,
                        url_path=f"{section.url_path}{slug}/",
                        live=True,
                        has_unpublished_changes=False,
                        first_published_at=published,
                        last_published_at=published,
                        locale_id=section.locale_id,
                        translation_key=uuid.uuid4(),
                    )
                )
                extras.append((standfirst, hub, number))
            Page.objects.bulk_create(pages, batch_size=BATCH_SIZE)
            if any(page.pk is None for page in pages):
                # Databases without RETURNING: look the new rows up by their unique paths.
                ids = dict(Page.objects.filter(path__in=[p.path for p in pages]).values_list("path", "pk"))
                for page in pages:
                    page.pk = page.id = ids[page.path]

            articles, bylines, tagged = [], [], []
            for page, (standfirst, hub, number) in zip(pages, extras, strict=True):
                paragraphs = rng.sample(demo.PARAGRAPHS, 3)
                articles.append(
                    ArticlePage(
                        page_ptr_id=page.pk,
                        standfirst=standfirst,
                        hero_image_id=image_ids[number % len(image_ids)] if image_ids else None,
                        hero_alt_text="A still from the story",
                        series=hub,
                        season_number=1 + number % 5 if hub else None,
                        body=[
                            {"type": "paragraph", "value": f"<p>{text}</p>", "id": str(uuid.uuid4())}
                            for text in paragraphs
                        ],
                    )
                )
                if authors:
                    bylines.append(ArticleAuthor(page_id=page.pk, author=authors[number % len(authors)], sort_order=0))
                    if number % 5 == 0 and len(authors) > 1:
                        bylines.append(
                            ArticleAuthor(page_id=page.pk, author=authors[(number + 1) % len(authors)], sort_order=1)
                        )
                for tag in {tags[number % len(tags)], tags[(number * 7) % len(tags)]} if tags else ():
                    tagged.append(ArticleFranchiseTag(content_object_id=page.pk, tag=tag))
            # bulk_create refuses multi-table models; the parent rows exist, so
            # insert only ArticlePage's own table.
            ArticlePage.objects.all()._batched_insert(articles, ArticlePage._meta.local_concrete_fields, BATCH_SIZE)
            ArticleAuthor.objects.bulk_create(bylines, batch_size=BATCH_SIZE)
            ArticleFranchiseTag.objects.bulk_create(tagged, batch_size=BATCH_SIZE)
            for section_pk, added in per_section.items():
                if added:
                    Page.objects.filter(pk=section_pk).update(numchild=F("numchild") + added)
        created += size
        bar.update(size)
    bar.close()
    return created


def _last_child_step(section):
    last = (
        Page.objects.filter(path__startswith=section.path, depth=section.depth + 1)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    return Page._str2int(last[-Page.steplen :]) if last else 0
