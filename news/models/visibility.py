from django.db.models import CharField, Exists, ExpressionWrapper, F, OuterRef
from django.db.models.lookups import StartsWith

from wagtail.models import PageViewRestriction


def restricted_q():
    """True for a page that is, or sits under, a page with a view restriction.

    Wagtail's `.public()` first loads every restriction in a query of its own;
    this correlated subquery asks the same question inside the listing's query.
    """
    listed_path = ExpressionWrapper(OuterRef("path"), output_field=CharField())
    return Exists(PageViewRestriction.objects.filter(StartsWith(listed_path, F("page__path"))))


def visible_to_readers(pages):
    """Live pages no reader needs a password or login to see."""
    return pages.live().exclude(restricted_q())
