"""Every email a follower gets: HTML and plain text, from templates."""

from types import SimpleNamespace

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.template.loader import render_to_string
from django.urls import reverse

from wagtail.models import Site

from alerts import tokens
from operations.mail import PreparedMessage

# Alerts render once per batch with these stand-ins for the follower's own
# links, then each copy swaps its links in: rendering two templates per
# follower would cost more than everything else in sending.
MANAGE_URL = "https://talkies.invalid/__manage__"
UNSUBSCRIBE_URL = "https://talkies.invalid/__unsubscribe__"
TEMPLATE_ADDRESS = "follower.stand-in@talkies.invalid"
TEMPLATE_MESSAGE_ID = "__message_id__"


def default_site():
    """(root URL, name) of the default site, for links and greetings."""
    site = Site.objects.filter(is_default_site=True).first()
    root_url = (site.root_url if site else settings.WAGTAILADMIN_BASE_URL).rstrip("/")
    return SimpleNamespace(root_url=root_url, name=(site and site.site_name) or settings.WAGTAIL_SITE_NAME)


def follower_links(follower, root_url):
    token = tokens.make_token(follower, tokens.MANAGE)
    return {
        "manage_url": root_url + reverse("alerts:manage", args=[token]),
        "unsubscribe_url": root_url + reverse("alerts:unsubscribe", args=[token]),
    }


def build_message(follower, subject, text, html, links):
    """One follower's copy, with RFC 8058 one-click unsubscribe headers."""
    for placeholder, key in ((MANAGE_URL, "manage_url"), (UNSUBSCRIBE_URL, "unsubscribe_url")):
        text = text.replace(placeholder, links[key])
        html = html.replace(placeholder, links[key])
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.ALERT_FROM_EMAIL,
        to=[follower.email],
        headers={
            "List-Unsubscribe": f"<{links['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


class ArticleAlertEmail:
    """The alert for one story, rendered once and addressed per follower."""

    def __init__(self, article):
        site = default_site()
        root_url = self.root_url = site.root_url
        topics = []
        if article.series_id:
            topics.append(article.series.title)
        topics += [tag.name for tag in article.franchise_tags.all()]
        context = {
            "article": article,
            "story_url": article.get_full_url(),
            "topics": topics,
            "site_name": site.name,
            "site_url": root_url + "/",
            "manage_url": MANAGE_URL,
            "unsubscribe_url": UNSUBSCRIBE_URL,
        }
        self.subject = f"New on {context['site_name']}: {article.title}"[:250]
        self.article_id = article.pk
        self.template = None
        self.text = render_to_string("alerts/email/article_alert.txt", context)
        self.html = render_to_string("alerts/email/article_alert.html", context)

    def for_follower(self, follower):
        return build_message(follower, self.subject, self.text, self.html, follower_links(follower, self.root_url))

    def prepared_for(self, follower):
        """The follower's copy as bytes, from a template serialized once;
        None where the template cannot be used (then use `for_follower`)."""
        if self.template is None:
            self.template = self.serialize_template()
        if not self.template or not follower.email.isascii():
            return None
        links = follower_links(follower, self.root_url)
        data = (
            self.template.replace(TEMPLATE_ADDRESS.encode(), follower.email.encode())
            .replace(MANAGE_URL.encode(), links["manage_url"].encode())
            .replace(UNSUBSCRIBE_URL.encode(), links["unsubscribe_url"].encode())
            .replace(TEMPLATE_MESSAGE_ID.encode(), f"alert.{self.article_id}.{follower.pk}".encode())
        )
        return PreparedMessage(settings.ALERT_FROM_EMAIL, [follower.email], data)

    def serialize_template(self):
        stand_in = SimpleNamespace(email=TEMPLATE_ADDRESS)
        links = {"manage_url": MANAGE_URL, "unsubscribe_url": UNSUBSCRIBE_URL}
        message = build_message(stand_in, self.subject, self.text, self.html, links)
        message.extra_headers["Message-ID"] = f"<{TEMPLATE_MESSAGE_ID}@{DNS_NAME}>"
        data = message.message().as_bytes(linesep="\r\n")
        # A transfer encoding that wrapped a stand-in across lines would make
        # the copies wrong: then every copy is built whole instead.
        expected = {
            TEMPLATE_ADDRESS: 1,
            TEMPLATE_MESSAGE_ID: 1,
            MANAGE_URL: self.text.count(MANAGE_URL) + self.html.count(MANAGE_URL),
            UNSUBSCRIBE_URL: self.text.count(UNSUBSCRIBE_URL) + self.html.count(UNSUBSCRIBE_URL) + 1,
        }
        if any(data.count(stand_in.encode()) != count for stand_in, count in expected.items()):
            return False
        return data


def digest_message(follower, digest_date, groups, site):
    """`groups`: (topic name, topic url, [stories]) in display order; `site`: default_site()."""
    context = {
        "digest_date": digest_date,
        "groups": groups,
        "site_name": site.name,
        "site_url": site.root_url + "/",
        "manage_url": MANAGE_URL,
        "unsubscribe_url": UNSUBSCRIBE_URL,
    }
    story_count = len({story.pk for _, _, stories in groups for story in stories})
    subject = f"Your {context['site_name']} digest: {story_count} new {'story' if story_count == 1 else 'stories'}"
    return build_message(
        follower,
        subject,
        render_to_string("alerts/email/daily_digest.txt", context),
        render_to_string("alerts/email/daily_digest.html", context),
        follower_links(follower, site.root_url),
    )


def confirmation_message(follower, pending_topics, followed_topics):
    site = default_site()
    root_url = site.root_url
    confirm_url = root_url + reverse("alerts:confirm", args=[tokens.make_token(follower, tokens.CONFIRM)])
    links = follower_links(follower, root_url)
    context = {
        "follower": follower,
        "pending_topics": pending_topics,
        "followed_topics": followed_topics,
        "confirm_url": confirm_url,
        "expires_days": settings.ALERT_CONFIRMATION_MAX_AGE // 86400,
        "site_name": site.name,
        "site_url": root_url + "/",
        "manage_url": links["manage_url"],
    }
    if pending_topics:
        subject = f"Confirm your {context['site_name']} alerts"
    else:
        subject = f"Your {context['site_name']} alerts"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("alerts/email/confirm_follow.txt", context),
        from_email=settings.ALERT_FROM_EMAIL,
        to=[follower.email],
        headers={"Auto-Submitted": "auto-replied"},
    )
    message.attach_alternative(render_to_string("alerts/email/confirm_follow.html", context), "text/html")
    return message
