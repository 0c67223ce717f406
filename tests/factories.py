"""Factories shared by every test module: one place to build newsroom content."""

import io

from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.utils import timezone

from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, Page, Site

import factory
import wagtail_factories
from factory.django import DjangoModelFactory

from alerts.models import ArticleAlert
from home.models import HomePage
from live.models import LiveCoverage, LiveUpdate
from news.models import (
    ArticleAuthor,
    ArticlePage,
    Author,
    FranchiseTag,
    SectionPage,
    SeriesHubPage,
    SeriesIndexPage,
)
from search import reader_index
from tests.support.admin import ADMIN

PASSWORD = "correct horse battery staple"


def jpeg_bytes(width=1200, height=675, colour=(120, 30, 40)):
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), colour).save(buffer, format="JPEG")
    buffer.seek(0)
    return buffer


def root_collection():
    """Wagtail's root collection; rebuilt after a transactional test flushed the tables."""
    return Collection.get_first_root_node() or Collection.add_root(name="Root")


class ImageFactory(DjangoModelFactory):
    class Meta:
        model = get_image_model()

    collection = factory.LazyFunction(root_collection)
    title = factory.Sequence(lambda n: f"Still {n}")
    description = factory.LazyAttribute(lambda o: f"Description of {o.title}")
    file = factory.LazyFunction(lambda: ImageFile(jpeg_bytes(), name="still.jpg"))


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@talkies.test")

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or PASSWORD)
        if create:
            user.save()


class AuthorFactory(DjangoModelFactory):
    class Meta:
        model = Author
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Writer {n}")
    slug = factory.Sequence(lambda n: f"writer-{n}")
    role = "Staff writer"
    bio = "Covers television."


class FranchiseTagFactory(DjangoModelFactory):
    class Meta:
        model = FranchiseTag
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Franchise {n}")
    slug = factory.Sequence(lambda n: f"franchise-{n}")


class PublishedPageFactory(wagtail_factories.PageFactory):
    """Pages are created the way editors create them: a revision, then publish.

    `live=False` leaves a draft; `published_at` back-dates a published page.
    """

    _relation_kwargs = ()

    class Meta:
        abstract = True

    @classmethod
    def attach_relations(cls, page, **relations):
        """Add inline children (bylines, tags) before the first save."""

    @classmethod
    def _create_instance(cls, model_class, parent, kwargs):
        live = kwargs.pop("live", True)
        published_at = kwargs.pop("published_at", None)
        relations = {name: kwargs.pop(name) for name in cls._relation_kwargs if name in kwargs}
        page = model_class(**kwargs)
        cls.attach_relations(page, **relations)
        page.live = False
        parent.add_child(instance=page)
        revision = page.save_revision()
        if live:
            revision.publish()
            page.refresh_from_db()
            if published_at:
                Page.objects.filter(pk=page.pk).update(first_published_at=published_at, last_published_at=published_at)
                page.first_published_at = page.last_published_at = published_at
                # As if published then: the reader index copies the date, and
                # followers were alerted then.
                reader_index.store([page.pk])
                ArticleAlert.objects.filter(article_id=page.pk).update(created_at=published_at)
        return page


def home_page():
    """The site's home page; rebuilt after a transactional test flushed the tables."""
    home = HomePage.objects.first()
    if home is None:
        Locale.objects.get_or_create(language_code="en")
        root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
        home = root.add_child(instance=HomePage(title="Talkies", slug="home"))
        Site.objects.update_or_create(
            is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
        )
    return home


class SectionPageFactory(PublishedPageFactory):
    class Meta:
        model = SectionPage

    title = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.Sequence(lambda n: f"section-{n}")
    show_in_menus = True
    parent = factory.LazyFunction(home_page)


class SeriesIndexPageFactory(PublishedPageFactory):
    class Meta:
        model = SeriesIndexPage

    title = "Series"
    slug = "series"
    show_in_menus = True
    parent = factory.LazyFunction(home_page)


def series_index():
    return SeriesIndexPage.objects.first() or SeriesIndexPageFactory()


class SeriesHubPageFactory(PublishedPageFactory):
    class Meta:
        model = SeriesHubPage

    title = factory.Sequence(lambda n: f"Show {n}")
    slug = factory.Sequence(lambda n: f"show-{n}")
    network = "Streamline"
    status = "airing"
    parent = factory.LazyFunction(series_index)


class ArticlePageFactory(PublishedPageFactory):
    """An article with one author. Pass `authors=[...]`, `tags=[...]` for more."""

    class Meta:
        model = ArticlePage

    title = factory.Sequence(lambda n: f"Story number {n}")
    slug = factory.Sequence(lambda n: f"story-{n}")
    standfirst = "A standfirst that sells the story."
    parent = factory.SubFactory(SectionPageFactory)
    body = factory.LazyFunction(lambda: [("paragraph", "<p>Body text of the story.</p>")])

    _relation_kwargs = ("authors", "tags")

    @classmethod
    def attach_relations(cls, page, authors=None, tags=None):
        for order, author in enumerate(authors if authors is not None else [AuthorFactory()]):
            page.article_authors.add(ArticleAuthor(author=author, sort_order=order))
        if tags:
            page.franchise_tags.set(tags)


def hours_ago(hours):
    return timezone.now() - timezone.timedelta(hours=hours)


def article_form_data(page=None, *, author=None, body="<p>Text.</p>", blocks=None, action=None, **fields):
    """The article form as the Wagtail admin posts it.

    For an existing story the byline rows carry their ids, as the real form's
    do; `action` is the submit button pressed ("action-publish", ...). The
    body is one paragraph of `body`, or `blocks`: (type, form value) pairs.
    """
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

    if page is not None:
        rows = [{"id": row.pk, "author": row.author_id} for row in page.article_authors.all()]
        byline = inline_formset(rows, initial=len(rows))
    else:
        byline = inline_formset([{"author": author.pk}])
    data = {
        "title": page.title if page is not None else "Untitled story",
        "slug": page.slug if page is not None else "untitled-story",
        "standfirst": "A standfirst that sells the story.",
        "franchise_tags": "Ironbound",
        "article_authors": byline,
        "body": streamfield(blocks if blocks is not None else [("paragraph", rich_text(body))]),
        "sources": streamfield([]),
        "corrections": streamfield([]),
        "comments": inline_formset([]),
    }
    if action:
        data[action] = action
    data.update(fields)
    return nested_form_data(data)


def newsroom_users(**group_by_username):
    """Users in the newsroom's groups, e.g. newsroom_users(wren=WRITERS).

    Run `setup_newsroom()` first, after the pages exist, so the groups carry
    their page permissions.
    """
    from django.contrib.auth.models import Group

    users = {}
    for username, group_name in group_by_username.items():
        users[username] = UserFactory(username=username, email=f"{username}@talkies.test")
        users[username].groups.add(Group.objects.get(name=group_name))
    return users


def workflow_action(client, page, action, comment=""):
    """Press a workflow button ("approve", "reject") on `page`'s current task, as the admin does."""
    state = page.current_workflow_task_state
    return client.post(f"{ADMIN}/pages/workflow/action/{page.pk}/{action}/{state.pk}/", {"comment": comment})


class LiveCoverageFactory(DjangoModelFactory):
    """A story opened for live coverage, running since an hour ago."""

    class Meta:
        model = LiveCoverage

    page = factory.SubFactory(ArticlePageFactory)
    starts_at = factory.LazyFunction(lambda: hours_ago(1))


class LiveUpdateFactory(DjangoModelFactory):
    """An update of a live story. Pass `authors=[...]` for its byline."""

    class Meta:
        model = LiveUpdate
        skip_postgeneration_save = True

    coverage = factory.SubFactory(LiveCoverageFactory)
    headline = factory.Sequence(lambda n: f"Update {n}")
    body = factory.LazyFunction(lambda: [("paragraph", "<p>Something just happened.</p>")])

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if create and extracted:
            self.authors.set(extracted)


def live_update_form_data(*, author=None, headline="", body="<p>Text.</p>", key_event=False, pinned=False):
    """The live desk's update form as the admin posts it."""
    from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

    data = {
        "action": "post",
        "update": {
            "headline": headline,
            "body": streamfield([("paragraph", rich_text(body))]),
        },
    }
    data = nested_form_data(data)
    if author is not None:
        data["update-authors"] = [author.pk]
    if key_event:
        data["update-key_event"] = "on"
    if pinned:
        data["update-pinned"] = "on"
    return data
