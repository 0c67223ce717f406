from django.core.management.base import BaseCommand

from search import reader_index
from search.elasticsearch import engine, rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the reader index from every live, public story: the database's own (always) and the search "
        "server's (when ELASTICSEARCH_URL or OPENSEARCH_URL is set)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database-only", action="store_true", help="Leave the search server's index alone.")

    def handle(self, *args, verbosity=1, database_only=False, **options):
        count = reader_index.rebuild(progress=verbosity > 0)
        self.stdout.write(f"Database reader index: {count} {'story' if count == 1 else 'stories'}.")
        if engine() and not database_only:
            count = rebuild(progress=verbosity > 0)
            self.stdout.write(f"Search server reader index ({engine()}): {count} stories.")
