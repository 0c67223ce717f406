from django.conf import settings
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.utils.functional import cached_property

from comments.models import ReaderComment
from comments.moderation import comments_open


class CommentThread:
    """A page of a story's approved comments, oldest first, with their
    replies: three queries however many comments there are."""

    def __init__(self, page, request):
        self.page = page
        self.request = request

    @cached_property
    def counts(self):
        return (
            ReaderComment.objects.approved()
            .filter(page=self.page)
            .aggregate(total=models.Count("pk"), threads=models.Count("pk", filter=models.Q(parent=None)))
        )

    @property
    def total(self):
        return self.counts["total"]

    @cached_property
    def items(self):
        paginator = Paginator(ReaderComment.objects.thread_for(self.page), settings.COMMENTS_PER_PAGE)
        paginator.count = self.counts["threads"]  # counted above, with the total
        raw = self.request.GET.get("page", "1")
        if not raw.isdigit() or not 1 <= int(raw) <= max(paginator.num_pages, 1):
            raise Http404("No such page of comments")
        items = paginator.page(int(raw))
        items.object_list = list(items.object_list)
        return items

    @property
    def open(self):
        return comments_open(self.page)
