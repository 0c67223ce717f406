"""Reader pages that are not Wagtail pages: franchises and authors.

Their content is snippets and tags, not pages, so they are plain Django views
at fixed addresses, listing through the same queryset as every other page.
"""

from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from news.models import ArticlePage, Author, FranchiseTag, SeriesHubPage
from news.pagination import paginate
from throttling.client import client_address

NEWS_SITEMAP_HOURS = 48


@require_GET
def franchise_index(request):
    tags = FranchiseTag.objects.with_story_counts().order_by("name")
    return render(request, "news/franchise_index.html", {"franchises": tags, "page_title": "Franchises"})


@require_GET
def franchise_detail(request, slug):
    tag = get_object_or_404(FranchiseTag.objects.select_related("image"), slug=slug)
    stories = ArticlePage.objects.for_listing().tagged(tag)
    series = SeriesHubPage.objects.for_listing().filter(franchise_tagged_items__tag=tag).order_by("title")
    return render(
        request,
        "news/franchise_detail.html",
        {"franchise": tag, "articles": paginate(request, stories), "series_hubs": list(series)},
    )


@require_GET
def author_index(request):
    authors = Author.objects.select_related("photo").order_by("name")
    return render(request, "news/author_index.html", {"authors": authors})


@require_GET
def author_detail(request, slug):
    author = get_object_or_404(Author.objects.select_related("photo"), slug=slug)
    stories = ArticlePage.objects.for_listing().by_author(author)
    return render(request, "news/author_detail.html", {"author": author, "articles": paginate(request, stories)})


@require_GET
def news_sitemap(request):
    """Google News sitemap: stories first published in the last 48 hours."""
    since = timezone.now() - timezone.timedelta(hours=NEWS_SITEMAP_HOURS)
    stories = ArticlePage.objects.for_listing().filter(first_published_at__gte=since)[:1000]
    return render(
        request, "news/news_sitemap.xml", {"stories": stories}, content_type="application/xml; charset=utf-8"
    )


@require_GET
def robots_txt(request):
    return render(request, "news/robots.txt", content_type="text/plain; charset=utf-8")


@require_http_methods(["GET", "POST"])
def comment_form(request, page_id):
    """Write a comment on a story, or reply to one. A page of its own, so the
    story's page stays free of per-reader CSRF tokens and cacheable."""
    from django.db import transaction

    from news.comments import ReaderCommentForm, comments_open, rate_limited
    from news.tasks import check_reader_comment

    page = get_object_or_404(ArticlePage.objects.cards(), pk=page_id)
    context = {"story": page, "page_title": f"Comment on {page.title}"}
    if not comments_open(page):
        context["closed"] = True
        return render(request, "news/comment_form.html", context, status=403 if request.method == "POST" else 200)
    if request.GET.get("sent"):
        context["sent"] = True
        return render(request, "news/comment_form.html", context)
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
        return render(request, "news/comment_form.html", context, status=status)
    reply_to = request.GET.get("reply_to", "")
    form = ReaderCommentForm(page=page, initial={"parent": reply_to if reply_to.isdigit() else None})
    context["form"] = form
    context["replying_to"] = form.fields["parent"].queryset.filter(pk=reply_to).first() if reply_to.isdigit() else None
    return render(request, "news/comment_form.html", context)
