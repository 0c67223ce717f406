"""Reader comments: when they are open, the layers of spam protection, and
moderation.

Spam protection, from cheapest to dearest: a honeypot field and a minimum
time to fill the form (comments.forms.ReaderCommentForm), a per-IP rate limit
and a cap on links (here, in the request), then a check in a Celery task:
an Akismet-compatible service when AKISMET_API_KEY is set, otherwise the
project's own rules. Spam goes to the spam folder, where a moderator can
rescue it.
"""

import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from django_ratelimit.core import is_ratelimited

from caching.page_cache import purge_edge_cache, purge_page_cache
from comments.models import ReaderComment
from editorial.notifications import Event, record
from throttling.client import ratelimit_rate

logger = logging.getLogger(__name__)
LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
SPAM_PHRASES = re.compile(
    r"\b(casino|viagra|cialis|crypto ?currency giveaway|payday loan|work from home|click here|seo services)\b",
    re.IGNORECASE,
)
# Network trouble talking to the spam service: retry later, never lose the comment.
SERVICE_ERRORS = (urllib.error.URLError, TimeoutError, ConnectionError)


def comments_open(page):
    if not page.comments_open:
        return False
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    published = page.first_published_at
    return not (days and published and published < timezone.now() - timedelta(days=days))


def rate_limited(request):
    """Counts every attempt from this address; true past the limit."""
    rate = ratelimit_rate(settings.COMMENT_RATE_LIMIT, settings.COMMENT_RATE_WINDOW_SECONDS)
    return is_ratelimited(request, group="comment", key="ip", rate=rate, increment=True)


def link_count(text):
    return len(LINK.findall(text))


def local_spam_reason(comment):
    """The project's own rules, when no spam service is configured."""
    if link_count(comment.body) > settings.COMMENT_MAX_LINKS:
        return "too many links"
    if SPAM_PHRASES.search(comment.body) or SPAM_PHRASES.search(comment.name):
        return "spam phrase"
    letters = [ch for ch in comment.body if ch.isalpha()]
    if len(letters) >= 20 and sum(ch.isupper() for ch in letters) / len(letters) > 0.8:
        return "all capitals"
    return ""


def akismet_spam_reason(comment):
    """Ask an Akismet-compatible service (comment-check). Raises a
    SERVICE_ERRORS exception when it cannot be reached, so the task retries."""
    data = {
        "api_key": settings.AKISMET_API_KEY,
        "blog": settings.WAGTAILADMIN_BASE_URL,
        "user_ip": comment.user_ip or "",
        "user_agent": comment.user_agent,
        "permalink": comment.page.get_full_url() or "",
        "comment_type": "reply" if comment.parent_id else "comment",
        "comment_author": comment.name,
        "comment_author_email": comment.email,
        "comment_content": comment.body,
        "comment_date_gmt": comment.created_at.isoformat(),
        "blog_lang": "en",
        "blog_charset": "UTF-8",
    }
    request = urllib.request.Request(
        settings.AKISMET_URL,
        data=urllib.parse.urlencode(data).encode(),
        headers={"User-Agent": "Talkies/1.0 | Akismet-compatible client"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        verdict = response.read().decode().strip()
    if verdict == "true":
        return "spam service"
    if verdict == "false":
        return ""
    # "invalid" (a bad key) or anything else: the service could not judge.
    raise urllib.error.URLError(f"spam service answered {verdict!r}")


def spam_reason(comment):
    if settings.AKISMET_API_KEY:
        return akismet_spam_reason(comment)
    return local_spam_reason(comment)


def is_trusted(comment):
    """Someone using this address already had a comment approved."""
    return ReaderComment.objects.approved().filter(email__iexact=comment.email).exclude(pk=comment.pk).exists()


def approve(comments, actor=None):
    """Publish comments: readers see them at once and the story's authors
    hear about each by email, through Celery. Saving an approved comment
    purges the page cache (caching.page_cache); each story's Varnish copies
    and its byline are handled once, however many of its comments are
    approved together."""
    by_story = {}
    for comment in comments:
        if comment.approved_at is None:
            by_story.setdefault(comment.page_id, []).append(comment)
    now = timezone.now()
    with transaction.atomic():
        for story_comments in by_story.values():
            page = story_comments[0].page
            bylines = page.article_authors.select_related("author")
            authors = [link.author.email for link in bylines if link.author.email]
            for comment in story_comments:
                comment.status = ReaderComment.Status.APPROVED
                comment.approved_at = now
                comment.save(update_fields=["status", "approved_at"])
                record(
                    Event.COMMENT_APPROVED,
                    f"comment:{comment.pk}",
                    page,
                    emails=authors,
                    message=f"{comment.name} wrote:\n\n{comment.body[:1000]}",
                    actor=actor,
                )
            purge_edge_cache(instance=page)


def mark_spam(comments, reason="marked by a moderator"):
    ReaderComment.objects.filter(pk__in=[comment.pk for comment in comments]).update(
        status=ReaderComment.Status.SPAM, spam_reason=reason
    )
    purge_page_cache()


def purge_if_public_comment(instance, **kwargs):
    """Approved comments are on reader pages; pending and spam ones are not,
    so readers' submissions cannot be used to flush the cache."""
    if instance.status == instance.Status.APPROVED:
        purge_page_cache()
