from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from search.elasticsearch import rebuild


class Command(BaseCommand):
    help = "Recreate the Elasticsearch reader index from every live, public story (with a progress bar)."

    def handle(self, *args, verbosity=1, **options):
        if not settings.ELASTICSEARCH_URL:
            raise CommandError("ELASTICSEARCH_URL is not set: reader search runs on the database.")
        count = rebuild(progress=verbosity > 0)
        self.stdout.write(f"Indexed {count} stories.")
