from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone

MAX_LOGGED_QUERY = 200


class SearchQueryDay(models.Model):
    """How often a query was searched on one day, and how often it found
    nothing. Deliberately holds no personal data: no IP, no user, no time."""

    day = models.DateField(default=timezone.localdate)
    query = models.CharField(max_length=MAX_LOGGED_QUERY)
    searches = models.PositiveIntegerField(default=0)
    zero_results = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "query"], name="one_row_per_query_per_day")]
        indexes = [models.Index(fields=["day"])]
        verbose_name = "search query count"

    def __str__(self):
        return f"{self.day}: {self.query}"

    @classmethod
    def record(cls, query, found):
        query = " ".join(query.lower().split())[:MAX_LOGGED_QUERY]
        if not query:
            return
        day = timezone.localdate()
        increments = {"searches": F("searches") + 1, "zero_results": F("zero_results") + (0 if found else 1)}
        if cls.objects.filter(day=day, query=query).update(**increments):
            return
        try:
            with transaction.atomic():
                cls.objects.create(day=day, query=query, searches=1, zero_results=0 if found else 1)
        except IntegrityError:
            # Another request created today's row first.
            cls.objects.filter(day=day, query=query).update(**increments)


class SearchSynonym(models.Model):
    """Names readers use interchangeably ("MCU", "Marvel Cinematic
    Universe"). Expanded at query time by the project, so an edit takes
    effect on the next search, on every backend, with no reindex."""

    terms = models.CharField(
        max_length=255,
        unique=True,
        help_text='Comma-separated names that mean the same thing, e.g. "MCU, Marvel Cinematic Universe".',
    )

    class Meta:
        ordering = ["terms"]
        verbose_name = "search synonym"

    def __str__(self):
        return self.terms

    @property
    def phrases(self):
        return parse_synonym_terms(self.terms)

    def clean(self):
        from django.core.exceptions import ValidationError

        phrases = parse_synonym_terms(self.terms)
        if len(phrases) < 2:
            raise ValidationError({"terms": "List at least two names, separated by commas."})
        self.terms = ", ".join(phrases)


def parse_synonym_terms(value):
    seen, phrases = set(), []
    for raw in value.split(","):
        phrase = " ".join(raw.split())
        if phrase and phrase.lower() not in seen:
            seen.add(phrase.lower())
            phrases.append(phrase)
    return phrases


class PendingIndexUpdate(models.Model):
    """A story whose reader-index entry may disagree with the database.

    Written in the transaction that published, unpublished, moved or
    deleted the story, so an update cannot be lost when the broker is down
    at that moment: beat hands out rows no worker has finished. The row goes
    once the index agrees; `version` grows with every new request, so a sync
    that started before a later change does not remove that change's row.
    """

    page_id = models.PositiveIntegerField(unique=True, help_text="Not a foreign key: deleted stories need one too.")
    version = models.PositiveIntegerField(default=1)
    dispatched_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "pending reader-index update"

    def __str__(self):
        return f"story {self.page_id} (v{self.version})"

    @classmethod
    def request(cls, page_id):
        cls.objects.update_or_create(
            page_id=page_id,
            defaults={"version": F("version") + 1, "dispatched_at": timezone.now()},
            create_defaults={"version": 1, "dispatched_at": timezone.now()},
        )

    @classmethod
    def request_many(cls, page_ids):
        """`request` for many stories, in three statements."""
        now = timezone.now()
        with transaction.atomic():
            existing = set(cls.objects.filter(page_id__in=page_ids).values_list("page_id", flat=True))
            cls.objects.filter(page_id__in=existing).update(version=F("version") + 1, dispatched_at=now)
            cls.objects.bulk_create(
                [cls(page_id=page_id, dispatched_at=now) for page_id in page_ids if page_id not in existing],
                ignore_conflicts=True,
            )

    @classmethod
    def done(cls, page_id, version):
        cls.done_many({page_id: version})

    @classmethod
    def done_many(cls, versions):
        """Drop the rows of these {page_id: version}, in one statement; a row
        whose version grew since is kept for the later change."""
        rows = Q(pk__in=[])
        for page_id, version in versions.items():
            rows |= Q(page_id=page_id, version=version)
        cls.objects.filter(rows).delete()


class ReaderDocument(models.Model):
    """A live, public story's words, as database reader search matches them.

    One row per story, written in the transaction that publishes it (or by
    the outbox when a name it carries changes). The database indexes the row
    itself: on PostgreSQL a trigger keeps a weighted `tsvector` with a GIN
    index, on SQLite triggers keep an FTS5 table (search migration 0005).
    """

    page = models.OneToOneField("news.ArticlePage", on_delete=models.CASCADE, primary_key=True, related_name="+")
    title = models.TextField()
    standfirst = models.TextField(blank=True)
    names = models.TextField(blank=True, help_text="Series, franchises and authors.")
    quotes = models.TextField(blank=True, help_text="Pull quotes and their speakers.")
    body = models.TextField(blank=True)
    spoilers = models.TextField(blank=True, help_text="Spoiler warnings: matched, never quoted in snippets.")
    # What the facets, filters and ranking read, copied from the story so
    # that a search reads this table and its tags and bylines, no other.
    published_at = models.DateTimeField(null=True)
    series = models.ForeignKey(
        "wagtailcore.Page", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    section_path = models.CharField(max_length=255, blank=True, help_text="The tree path of the story's section.")
    star_band = models.PositiveSmallIntegerField(
        null=True, help_text="A review's whole stars out of five, for the rating facet; empty for other stories."
    )
    words_added = models.BooleanField(
        default=False, help_text="Whether beat has added this version's words to the vocabulary."
    )

    class Meta:
        verbose_name = "reader search document"
        indexes = [
            models.Index(fields=["page"], condition=models.Q(words_added=False), name="reader_document_new_words"),
            # A search with filters and no words counts its facets over the
            # whole archive: on PostgreSQL an index-only scan of these
            # columns instead of the wide rows (the other databases ignore
            # `include` and keep a small index on the key).
            models.Index(
                fields=["page"],
                include=["series", "published_at", "section_path", "star_band"],
                name="reader_document_facets",
            ),
        ]

    def __str__(self):
        return self.title


class ReaderWord(models.Model):
    """A word that occurs, or occurred, in some story: the vocabulary that
    typo candidates and did-you-mean come from (trigram-indexed). A word is
    only offered while a live, public story still holds it.

    Kept by beat (search.tasks.add_new_words), not by the publish: adding a
    long story's thousands of words cost more than the rest of its indexing
    (bench: 21 of 38 ms), and a new word's misspellings can wait a minute.
    """

    word = models.CharField(max_length=40, unique=True)

    class Meta:
        verbose_name = "reader search word"

    def __str__(self):
        return self.word
