"""Signed links in alert emails: no account, no password, nothing guessable.

Each token names a follower and carries their `token_key`; rotating the key
voids every link already sent. Confirmation links expire; the links that
manage or end a subscription must keep working in old emails.
"""

from django.conf import settings
from django.core import signing

from alerts.models import Follower

CONFIRM = "alerts.confirm"
MANAGE = "alerts.manage"


def make_token(follower, purpose):
    return signing.dumps([follower.pk, follower.token_key], salt=purpose)


def follower_from_token(token, purpose):
    """The follower a token names, or None if it is tampered, expired or void."""
    max_age = settings.ALERT_CONFIRMATION_MAX_AGE if purpose == CONFIRM else None
    try:
        follower_id, key = signing.loads(token, salt=purpose, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    follower = Follower.objects.filter(pk=follower_id).first()
    if follower is None or not signing.constant_time_compare(str(key), follower.token_key):
        return None
    return follower
