from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from comments.forms import ReaderCommentForm
from comments.moderation import comments_open, rate_limited
from comments.tasks import check_reader_comment
from news.models import ArticlePage
from throttling.client import client_address


@require_http_methods(["GET", "POST"])
def comment_form(request, page_id):
    """Write a comment on a story, or reply to one. A page of its own, so the
    story's page stays free of per-reader CSRF tokens and cacheable."""
    page = get_object_or_404(ArticlePage.objects.cards(), pk=page_id)
    context = {"story": page, "page_title": f"Comment on {page.title}"}
    if not comments_open(page):
        context["closed"] = True
        return render(request, "comments/comment_form.html", context, status=403 if request.method == "POST" else 200)
    if request.GET.get("sent"):
        context["sent"] = True
        return render(request, "comments/comment_form.html", context)
    if request.method == "POST":
        form = ReaderCommentForm(request.POST, page=page)
        status = 400
        if rate_limited(request):
            form.is_valid()
            form.add_error(None, "You have sent several comments in a short time. Please wait a few minutes.")
            status = 429
        elif form.is_valid():
            comment = form.save(commit=False)
            comment.page = page
            comment.user_ip = client_address(request)
            comment.user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
            comment.save()
            transaction.on_commit(lambda: check_reader_comment.delay(comment.pk), robust=True)
            return redirect(f"{request.path}?sent=1")
        context["form"] = form
        return render(request, "comments/comment_form.html", context, status=status)
    reply_to = request.GET.get("reply_to", "")
    form = ReaderCommentForm(page=page, initial={"parent": reply_to if reply_to.isdigit() else None})
    context["form"] = form
    context["replying_to"] = form.fields["parent"].queryset.filter(pk=reply_to).first() if reply_to.isdigit() else None
    return render(request, "comments/comment_form.html", context)
