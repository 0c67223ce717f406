"""The editorial calendar in the admin: a month or a week of go-lives,
embargo lifts, expiries, premieres and planned stories; moving a scheduled
story; turning a planned story into a draft; the person's iCal address."""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from wagtail.models import Revision
from wagtail.rich_text import RichText

from editorial.calendar import KINDS, BadCalendarRequest, Period, by_day, calendar_entries, explorable_pages
from editorial.models import CalendarFeed, PlannedStory
from news.models import ArticlePage


def calendar_view(request, error=None, status=200):
    try:
        period = Period.parse(request.GET)
    except BadCalendarRequest as bad:
        period, error, status = Period.parse({}), str(bad), 400
    entries = by_day(calendar_entries(request.user, period.start, period.end))
    feed = CalendarFeed.for_user(request.user)
    context = {
        "period": period,
        "weeks": [[(day, entries.get(day, [])) for day in week] for week in period.weeks],
        "previous": period.step(-1).isoformat(),
        "next": period.step(1).isoformat(),
        "today": timezone.localdate(),
        "kinds": KINDS,
        "error": error,
        "feed_url": request.build_absolute_uri(reverse("editorial:calendar_feed", args=[feed.token])),
    }
    return TemplateResponse(request, "editorial/calendar/calendar.html", context, status=status)


def back_to_calendar(request):
    target = request.POST.get("next", "")
    return redirect(target if target.startswith(reverse("editorial_calendar")) else reverse("editorial_calendar"))


@require_POST
def move_scheduled(request, revision_id):
    """Schedule the story for another time: a new revision, published for
    the new go-live time as the admin's own scheduling does (Wagtail keeps one
    scheduled revision a story, and beat publishes it when it is due)."""
    revision = get_object_or_404(Revision.page_revisions.filter(approved_go_live_at__isnull=False), pk=revision_id)
    page = revision.content_object.specific
    if not explorable_pages(request.user).filter(pk=page.pk).exists():
        raise PermissionDenied
    # Wagtail's own scheduled-publish lock is what this moves, so only a
    # colleague's lock on the story stops it.
    locked_by_other = page.locked and page.locked_by_id != request.user.pk
    if not page.permissions_for_user(request.user).can_publish() or locked_by_other:
        raise PermissionDenied
    try:
        go_live_at = timezone.make_aware(datetime.fromisoformat(request.POST.get("go_live_at", "")[:16]))
    except ValueError:
        return calendar_view(request, error="Give the new date and time as 2026-12-31 09:00.", status=400)
    if go_live_at <= timezone.now():
        return calendar_view(request, error="A story can only be moved to a time still to come.", status=400)
    scheduled = revision.as_object()
    scheduled.go_live_at = go_live_at
    scheduled.save_revision(user=request.user, log_action=True).publish(user=request.user)
    messages.success(request, f"'{page.get_admin_display_title()}' now goes live {go_live_at:%d %b %Y, %H:%M}.")
    return back_to_calendar(request)


@require_POST
def start_draft(request, planned_id):
    """Turn a planned story into a draft in its section, once."""
    pitch = get_object_or_404(
        PlannedStory.objects.visible_to(explorable_pages(request.user).values("pk")), pk=planned_id
    )
    if pitch.draft_id:
        return redirect("wagtailadmin_pages:edit", pitch.draft_id)
    if not pitch.section.permissions_for_user(request.user).can_add_subpage():
        raise PermissionDenied
    slug, number = slugify(pitch.working_title)[:60] or "planned-story", 1
    base = slug
    while pitch.section.get_children().filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    draft = ArticlePage(
        title=pitch.working_title,
        slug=slug,
        series=pitch.series,
        owner=request.user,
        live=False,
        body=[("paragraph", RichText(f"<p>{escape(pitch.notes or 'Write the story here.')}</p>"))],
    )
    pitch.section.add_child(instance=draft)
    draft.save_revision(user=request.user, log_action=True)
    pitch.draft = draft
    pitch.save(update_fields=["draft"])
    messages.success(request, f"A draft of '{pitch.working_title}' is ready.")
    return redirect("wagtailadmin_pages:edit", draft.pk)


@require_POST
def replace_feed(request):
    CalendarFeed.for_user(request.user).replace()
    messages.success(request, "Your calendar feed has a new address; the old one no longer works.")
    return back_to_calendar(request)
