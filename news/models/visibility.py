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


class RoutedRestrictionsMixin:
    """Serving a page, Wagtail asks for its view restrictions and its
    ancestors' in two queries. `HomePage.route` asks the same question in the
    query that finds the page (`has_view_restriction`), so a page it found
    without one skips them; any other page, or an alias (whose source's
    restrictions apply), asks Wagtail as usual."""

    def get_view_restrictions(self):
        if getattr(self, "has_view_restriction", None) is False and not self.alias_of_id:
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()
