from django.core.management.base import BaseCommand, CommandError

from bench.bulk import bulk_create_articles
from news.models import ArticlePage
from search import reader_index


class Command(BaseCommand):
    help = "Add this many live stories in bulk to the demo newsroom (run seed_demo first), for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help="How many stories to add.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed, for repeatable content.")

    def handle(self, *args, count, seed=2026, verbosity=1, **options):
        if count < 0:
            raise CommandError("The number of stories must be zero or more.")
        try:
            bulk_create_articles(count, seed=seed, progress=verbosity > 0)
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        # Bulk rows bypass the publish signals that index a story.
        reader_index.rebuild(progress=verbosity > 0)
        if verbosity:
            self.stdout.write(f"{ArticlePage.objects.live().count()} live stories.")
