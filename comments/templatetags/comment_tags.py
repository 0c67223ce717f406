from django import template

from comments.thread import CommentThread

register = template.Library()


@register.inclusion_tag("comments/thread.html", takes_context=True)
def comment_thread(context, page):
    """A story's approved comments, a page at a time, and the way to add one.
    Queried only when rendered: a cached fragment of the story costs nothing."""
    request = context["request"]
    return {"comments": CommentThread(page, request), "page": page, "request": request}
