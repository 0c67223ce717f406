"""`manage.py purge_caches`: the deploy step that starts a release with
empty caches. Entries in Redis are already out of reach (every key carries
RELEASE_ID); this starts a new page-cache generation and bans everything the
HTTP caches (Varnish) hold, so no reader sees a page the last release
rendered."""

from django.conf import settings
from django.core.management.base import BaseCommand

from caching.page_cache import ban_edge_cache, new_generation


class Command(BaseCommand):
    help = "Start this release with empty page caches: a new generation, and a ban sent to every Varnish."

    def handle(self, *args, **options):
        new_generation()
        self.stdout.write(f"Page cache: new generation for release {settings.RELEASE_ID}")
        answered, failed = ban_edge_cache()
        for location in answered:
            self.stdout.write(f"Varnish at {location}: everything banned")
        for location, error in failed:
            # A first deploy has no Varnish up yet, and so nothing cached.
            self.stderr.write(f"Varnish at {location} did not answer ({error}); nothing was banned there")
        if not answered and not failed:
            self.stdout.write("No HTTP cache configured (VARNISH_URL unset)")
