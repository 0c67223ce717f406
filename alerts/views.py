"""Following series and franchises: the reader's pages. All of them sit
outside the page caches (they carry CSRF tokens or personal links)."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from django_ratelimit.core import is_ratelimited

from alerts import tokens
from alerts.follows import confirm_follows, request_follow, unsubscribe_all
from alerts.forms import FollowForm, PreferencesForm, topic_value, topics_from_values
from news.models import ArticlePage
from throttling.client import ratelimit_rate

MAX_TOPICS = 30


def offered_topics(request):
    """Topics named in the query string: ?series=<id>, ?franchise=<id>, or
    ?story=<id> for the story's series and franchises."""
    values = [f"series:{pk}" for pk in request.GET.getlist("series")[:MAX_TOPICS]]
    values += [f"franchise:{pk}" for pk in request.GET.getlist("franchise")[:MAX_TOPICS]]
    story_id = request.GET.get("story", "")
    if story_id.isdigit() and len(story_id) < 12:
        story = ArticlePage.objects.cards().filter(pk=story_id).first()
        if story is not None:
            if story.series_id:
                values.append(f"series:{story.series_id}")
            values += [f"franchise:{tag.pk}" for tag in story.franchise_tags.all()]
    return topics_from_values(values)


@require_http_methods(["GET", "POST"])
def follow(request):
    context = {"page_title": "Follow"}
    if request.GET.get("sent"):
        return render(request, "alerts/follow.html", {**context, "sent": True})
    if request.method == "POST":
        topics = topics_from_values(request.POST.getlist("topics")[:MAX_TOPICS])
        form = FollowForm(request.POST, topics=topics)
        status = 400
        follow_rate = ratelimit_rate(settings.ALERT_FOLLOW_RATE_LIMIT, 600)
        if is_ratelimited(request, group="follow", key="ip", rate=follow_rate, increment=True):
            form.is_valid()
            form.add_error(None, "You have sent several requests in a short time. Please wait a few minutes.")
            status = 429
        elif form.is_valid():
            email = form.cleaned_data["email"]
            confirmation_rate = ratelimit_rate(settings.ALERT_CONFIRMATIONS_PER_ADDRESS, 3600)
            confirmations_left = not is_ratelimited(
                request,
                group="follow-confirmation",
                key=lambda group, request: email,
                rate=confirmation_rate,
                increment=True,
            )
            request_follow(email, form.chosen_topics(), form.cleaned_data["frequency"], confirmations_left)
            return redirect(reverse("alerts:follow") + "?sent=1")
        return render(request, "alerts/follow.html", {**context, "form": form}, status=status)
    topics = offered_topics(request)
    if not topics:
        return render(request, "alerts/follow.html", {**context, "nothing_to_follow": True}, status=404)
    form = FollowForm(
        topics=topics,
        initial={"topics": [topic_value(topic) for topic in topics], "email": request.GET.get("email", "")[:254]},
    )
    return render(request, "alerts/follow.html", {**context, "form": form})


def invalid_link(request):
    return render(request, "alerts/invalid_link.html", {"page_title": "Link not valid"}, status=400)


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """The link in the confirmation email. A button, not the link itself,
    confirms: mail scanners that open links must not subscribe anyone."""
    follower = tokens.follower_from_token(token, tokens.CONFIRM)
    if follower is None:
        return invalid_link(request)
    pending = list(follower.follows.filter(confirmed_at=None).select_related("series", "franchise"))
    manage_url = reverse("alerts:manage", args=[tokens.make_token(follower, tokens.MANAGE)])
    if request.method == "POST":
        confirm_follows(follower)
        return redirect(manage_url + "?confirmed=1")
    if not pending:
        return redirect(manage_url)
    return render(
        request,
        "alerts/confirm.html",
        {"page_title": "Confirm your alerts", "follower": follower, "pending": [follow.topic for follow in pending]},
    )


@require_http_methods(["GET", "POST"])
def manage(request, token):
    follower = tokens.follower_from_token(token, tokens.MANAGE)
    if follower is None:
        return invalid_link(request)
    follows = list(follower.follows.confirmed().select_related("series", "franchise").order_by("pk"))
    context = {"page_title": "Your alerts", "follower": follower, "token": token}
    if request.method == "POST":
        if "unsubscribe_all" in request.POST:
            unsubscribe_all(follower)
            return render(request, "alerts/unsubscribed.html", context)
        form = PreferencesForm(request.POST, follows=follows)
        if form.is_valid():
            kept = set(form.cleaned_data["topics"])
            follower.follows.confirmed().exclude(pk__in=[int(pk) for pk in kept]).delete()
            follower.frequency = form.cleaned_data["frequency"]
            follower.save(update_fields=["frequency"])
            return redirect(request.path + "?saved=1")
        return render(request, "alerts/manage.html", {**context, "form": form}, status=400)
    form = PreferencesForm(
        follows=follows, initial={"topics": [str(follow.pk) for follow in follows], "frequency": follower.frequency}
    )
    context.update(form=form, saved="saved" in request.GET, confirmed="confirmed" in request.GET)
    return render(request, "alerts/manage.html", context)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """List-Unsubscribe target. Mail clients POST here with no CSRF token
    (RFC 8058 one-click); the signed link is the authority."""
    follower = tokens.follower_from_token(token, tokens.MANAGE)
    if follower is None:
        return invalid_link(request)
    context = {"page_title": "Unsubscribe", "follower": follower, "token": token}
    if request.method == "POST":
        unsubscribe_all(follower)
        return render(request, "alerts/unsubscribed.html", context)
    return render(request, "alerts/unsubscribe.html", context)
