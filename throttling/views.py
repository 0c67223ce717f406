"""Sign-in lockouts in the admin: who django-axes has locked out, and the
button that lets them in again (an editor locked out by a guesser, say)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from axes.models import AccessAttempt
from axes.utils import reset


def can_unlock(user):
    return user.has_perm("axes.delete_accessattempt")


@require_http_methods(["GET", "POST"])
def lockouts(request):
    if not can_unlock(request.user):
        raise PermissionDenied
    if request.method == "POST":
        try:
            attempt = AccessAttempt.objects.get(pk=int(request.POST.get("attempt", "")))
        except (ValueError, AccessAttempt.DoesNotExist):
            messages.error(request, "That lockout has already ended.")
        else:
            reset(ip=attempt.ip_address, username=attempt.username)
            who = attempt.username or attempt.ip_address
            messages.success(request, f"{who} can sign in again.")
        return redirect("sign_in_lockouts")
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).order_by(
        "-attempt_time"
    )
    return render(
        request, "throttling/lockouts.html", {"attempts": attempts, "failure_limit": settings.AXES_FAILURE_LIMIT}
    )


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in: the site's 429 page."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "429.html", {"minutes": minutes}, status=429)
