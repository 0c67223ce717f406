"""Admin: followers per series and franchise, and their CSV export."""

import csv

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from alerts.forms import topics_from_values
from alerts.models import Follower
from news.models import FranchiseTag, SeriesHubPage


def counted(queryset):
    reachable = Q(
        follows__confirmed_at__isnull=False,
        follows__follower__unsubscribed_at=None,
        follows__follower__bounced_at=None,
    )
    return (
        queryset.annotate(
            instant=Count("follows", filter=reachable & Q(follows__follower__frequency=Follower.Frequency.INSTANT)),
            daily=Count("follows", filter=reachable & Q(follows__follower__frequency=Follower.Frequency.DAILY)),
            unconfirmed=Count("follows", filter=Q(follows__confirmed_at=None)),
        )
        .filter(Q(instant__gt=0) | Q(daily__gt=0) | Q(unconfirmed__gt=0))
        .order_by("-instant", "-daily")
    )


def followers_by_topic(request):
    if not request.user.has_perm("alerts.view_follower"):
        raise PermissionDenied
    rows = [("Series", f"series:{hub.pk}", hub) for hub in counted(SeriesHubPage.objects.all())]
    rows += [("Franchise", f"franchise:{tag.pk}", tag) for tag in counted(FranchiseTag.objects.all())]
    rows.sort(key=lambda row: -(row[2].instant + row[2].daily))
    return render(
        request,
        "alerts/admin/followers_by_topic.html",
        {"rows": rows, "can_export": request.user.has_perm("alerts.export_followers")},
    )


class Echo:
    def write(self, value):
        return value


def export_followers(request):
    """Confirmed, reachable followers of one topic, as CSV (streamed)."""
    if not request.user.has_perm("alerts.export_followers"):
        raise PermissionDenied
    topics = topics_from_values([request.GET.get("topic", "")])
    if not topics:
        raise Http404("No such series or franchise")
    topic = topics[0]
    key = {"series": topic} if isinstance(topic, SeriesHubPage) else {"franchise": topic}
    followers = (
        Follower.objects.reachable()
        .filter(follows__confirmed_at__isnull=False, **{f"follows__{name}": value for name, value in key.items()})
        .order_by("email")
        .values_list("email", "frequency", "confirmed_at")
    )
    writer = csv.writer(Echo())

    def lines():
        yield writer.writerow(["email", "frequency", "confirmed_at"])
        for email, frequency, confirmed_at in followers.iterator(chunk_size=2000):
            yield writer.writerow([email, frequency, confirmed_at.isoformat()])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="followers-{slugify(str(topic))}.csv"'
    return response
