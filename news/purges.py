"""What the caches must drop when newsroom content changes (caching/ asks
the apps, it does not reach into them)."""

from news.models import ArticlePage


def story_listing_urls(page, root_url):
    """A story is listed on its series hub and on its franchise and author pages."""
    page = page.specific_deferred
    if not isinstance(page, ArticlePage):
        return []
    urls = [page.series.get_full_url()] if page.series_id else []
    urls += [root_url + tag.get_absolute_url() for tag in page.franchise_tags.all()]
    urls += [root_url + link.author.get_absolute_url() for link in page.article_authors.select_related("author")]
    return urls
