from django.core.management.base import BaseCommand, CommandError

from search.elasticsearch import engine, rebuild


class Command(BaseCommand):
    help = "Recreate the reader index (Elasticsearch or OpenSearch) from every live, public story."

    def handle(self, *args, verbosity=1, **options):
        if not engine():
            raise CommandError("Set ELASTICSEARCH_URL or OPENSEARCH_URL; reader search uses the database.")
        count = rebuild(progress=verbosity > 0)
        self.stdout.write(f"Indexed {count} stories.")
