"""The API's live updates (`/api/v2/live-updates/?story=<id>`): those of
live, public stories only, newest first."""

from wagtail.api.v2.filters import FieldsFilter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import BaseAPIViewSet

from live.models import LiveCoverage, LiveUpdate

FIELDS = ["story", "posted_at", "edited_at", "headline", "byline", "key_event", "pinned", "body"]


class LiveUpdatesAPIViewSet(BaseAPIViewSet):
    model = LiveUpdate
    name = "live_updates"
    filter_backends = [FieldsFilter]
    known_query_parameters = BaseAPIViewSet.known_query_parameters.union(["story"])
    listing_default_fields = BaseAPIViewSet.listing_default_fields + FIELDS

    def get_queryset(self):
        updates = LiveUpdate.objects.shown().filter(coverage__in=LiveCoverage.objects.visible_to_readers())
        story = self.request.GET.get("story")
        if story is not None:
            if not story.isdigit():
                raise BadRequestError("story: give a story's id, e.g. ?story=42")
            updates = updates.filter(coverage_id=int(story))
        return updates
