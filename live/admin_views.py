"""The live desk in the admin: open a story for live coverage, post updates
in one form, and pin, mark, edit or remove them, each change kept in the
update's history. No page lock and no page revision: updates are rows."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from live.forms import LiveCoverageForm, LiveUpdateForm
from live.models import LiveCoverage, LiveUpdate, LiveUpdateChange
from live.permissions import may_change, may_post, may_run
from news.models import ArticlePage, Author

ACTIONS = {
    "pin": ("pinned", True, LiveUpdateChange.Action.PINNED),
    "unpin": ("pinned", False, LiveUpdateChange.Action.UNPINNED),
    "key_event": ("key_event", True, LiveUpdateChange.Action.KEY_EVENT),
    "not_key_event": ("key_event", False, LiveUpdateChange.Action.NOT_KEY_EVENT),
}


def story_for(request, page_id):
    page = get_object_or_404(ArticlePage, pk=page_id)
    if not may_post(request.user, page):
        raise PermissionDenied
    return page


def new_update_form(request, data=None):
    # The writer's own byline, where their name is an author's; a paragraph
    # ready to type into.
    own = Author.objects.filter(name=request.user.get_full_name()).values_list("pk", flat=True)
    body = LiveUpdate._meta.get_field("body").stream_block.to_python([{"type": "paragraph", "value": ""}])
    return LiveUpdateForm(data, initial={"authors": list(own), "body": body}, prefix="update")


def coverage_desk(request, page_id):
    page = story_for(request, page_id)
    coverage = LiveCoverage.objects.filter(page=page).first()
    coverage_form = LiveCoverageForm(instance=coverage, prefix="coverage")
    update_form = new_update_form(request)
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("open", "schedule"):
            if not may_run(request.user, page):
                raise PermissionDenied
            coverage_form = LiveCoverageForm(request.POST, instance=coverage, prefix="coverage")
            if coverage_form.is_valid():
                opened = coverage_form.save(commit=False)
                opened.page = page
                opened.opened_by = opened.opened_by or request.user
                opened.save()
                messages.success(request, "Live coverage saved.")
                return redirect("live_admin:desk", page.pk)
        elif action == "end" and coverage:
            if not may_run(request.user, page):
                raise PermissionDenied
            coverage.ends_at = timezone.now()
            coverage.save(update_fields=["ends_at"])
            messages.success(request, "Live coverage ended: the story now reads as an ordinary story.")
            return redirect("live_admin:desk", page.pk)
        elif action == "post" and coverage:
            update_form = new_update_form(request, request.POST)
            if update_form.is_valid():
                with transaction.atomic():
                    update = update_form.save(commit=False)
                    update.coverage = coverage
                    update.posted_by = request.user
                    update.posted_at = timezone.now()
                    update.save()
                    update_form.save_m2m()
                    LiveUpdateChange.record(update, LiveUpdateChange.Action.POSTED, request.user)
                messages.success(request, "Update posted.")
                return redirect("live_admin:desk", page.pk)
            messages.error(request, "The update could not be posted: see the errors below. Nothing was lost.")
        else:
            messages.error(request, "Open the story for live coverage first.")
    updates = list(coverage.updates.order_by("-posted_at", "-pk").prefetch_related("authors")) if coverage else []
    for update in updates:
        update.may_change = may_change(request.user, update, page)
    desk_member = may_post(request.user, page)
    return TemplateResponse(
        request,
        "live/admin/desk.html",
        {
            "page": page,
            "coverage": coverage,
            "coverage_form": coverage_form,
            "update_form": update_form,
            "media": update_form.media,
            "updates": updates,
            "may_run": may_run(request.user, page),
            "may_flag": desk_member,
        },
    )


def update_for(request, update_id, may=may_change):
    update = get_object_or_404(LiveUpdate.objects.select_related("coverage__page"), pk=update_id)
    page = update.coverage.page.specific
    if not may(request.user, update, page):
        raise PermissionDenied
    return update, page


def may_flag(user, update, page):
    """Pinning and key events arrange the coverage, not an update's words:
    anyone on the live desk may do them."""
    return may_post(user, page)


def edit_update(request, update_id):
    update, page = update_for(request, update_id)
    form = LiveUpdateForm(request.POST or None, instance=update, prefix="update")
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            update = form.save(commit=False)
            update.edited_at = timezone.now()
            update.save()
            form.save_m2m()
            LiveUpdateChange.record(update, LiveUpdateChange.Action.EDITED, request.user)
        messages.success(request, "Update saved.")
        return redirect("live_admin:desk", page.pk)
    return TemplateResponse(
        request, "live/admin/edit_update.html", {"page": page, "update": update, "form": form, "media": form.media}
    )


@require_POST
def change_update(request, update_id):
    action = request.POST.get("action")
    update, page = update_for(request, update_id, may_flag if action in ACTIONS else may_change)
    with transaction.atomic():
        if action in ACTIONS:
            field, value, recorded = ACTIONS[action]
            setattr(update, field, value)
            update.edited_at = timezone.now()
            update.save(update_fields=[field, "edited_at"])
        elif action == "remove":
            update.removed_at, recorded = timezone.now(), LiveUpdateChange.Action.REMOVED
            update.save(update_fields=["removed_at"])
        elif action == "restore":
            update.removed_at, recorded = None, LiveUpdateChange.Action.RESTORED
            update.save(update_fields=["removed_at"])
        else:
            messages.error(request, "Unknown action.")
            return redirect("live_admin:desk", page.pk)
        LiveUpdateChange.record(update, recorded, request.user)
    messages.success(request, f"Update {LiveUpdateChange.Action(recorded).label.lower()}.")
    return redirect("live_admin:desk", page.pk)


def update_history(request, update_id):
    update, page = update_for(request, update_id)
    return TemplateResponse(
        request,
        "live/admin/history.html",
        {"page": page, "update": update, "history": update.history.select_related("user")},
    )
