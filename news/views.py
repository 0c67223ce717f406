"""Reader pages that are not Wagtail pages: franchises and authors.

Their content is snippets and tags, not pages, so they are plain Django views
at fixed addresses, listing through the same queryset as every other page.
"""

from django.core.paginator import InvalidPage
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from caching.page_cache import kept_for_readers
from news.models import ArticlePage, Author, FranchiseTag, SeriesHubPage
from news.pagination import paginate
from news.sitemaps import StorySitemap, urlset


@require_GET
def franchise_index(request):
    tags = FranchiseTag.objects.with_story_counts().order_by("name")
    return render(request, "news/franchise_index.html", {"franchises": tags, "page_title": "Franchises"})


@require_GET
def franchise_detail(request, slug):
    found = kept_for_readers(request, f"franchise:{slug}", lambda: franchise_with_series(slug))
    if found is None:
        raise Http404("No such franchise")
    tag, series = found
    stories = paginate(request, lambda: ArticlePage.objects.card_rows().tagged(tag), kept_as=f"franchise:{tag.pk}")
    return render(
        request, "news/franchise_detail.html", {"franchise": tag, "articles": stories, "series_hubs": series}
    )


def franchise_with_series(slug):
    tag = FranchiseTag.objects.select_related("image").filter(slug=slug).first()
    if tag is None:
        return None
    series = SeriesHubPage.objects.for_listing().filter(franchise_tagged_items__tag=tag).order_by("title")
    return tag, list(series)


@require_GET
def author_index(request):
    authors = Author.objects.with_public_stories().select_related("photo").order_by("name")
    return render(request, "news/author_index.html", {"authors": authors})


@require_GET
def author_detail(request, slug):
    author = kept_for_readers(
        request,
        f"author:{slug}",
        lambda: Author.objects.with_public_stories().select_related("photo").filter(slug=slug).first(),
    )
    if author is None:
        raise Http404("No such author")
    stories = paginate(
        request, lambda: ArticlePage.objects.card_rows().by_author(author), kept_as=f"author:{author.pk}"
    )
    return render(request, "news/author_detail.html", {"author": author, "articles": stories})


@require_GET
def stories_sitemap(request):
    """One file of the sitemap's stories (`?p=2`...), oldest first."""
    try:
        entries, latest = StorySitemap(request).file(request.GET.get("p", 1))
    except InvalidPage:
        raise Http404("No such sitemap file") from None
    response = urlset(entries)
    if latest:
        response.headers["Last-Modified"] = http_date(latest.timestamp())
    return response


@require_GET
def news_sitemap(request):
    """Google News sitemap: stories first published in the last 48 hours."""
    entries = StorySitemap(request).news_file(timezone.now())
    return urlset(entries, ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"')


@require_GET
def robots_txt(request):
    return render(request, "news/robots.txt", content_type="text/plain; charset=utf-8")
