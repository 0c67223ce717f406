from django.http import Http404, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from editorial.ical import assignments_calendar
from editorial.models import CalendarFeed


@require_GET
def calendar_feed(request, token):
    """A person's assignments, at the private address only they were given."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token[:64], user__is_active=True).first()
    if feed is None:
        raise Http404("No such calendar")
    response = HttpResponse(assignments_calendar(feed.user, request.get_host()), content_type="text/calendar")
    response["Content-Disposition"] = 'inline; filename="talkies-assignments.ics"'
    add_never_cache_headers(response)
    return response
