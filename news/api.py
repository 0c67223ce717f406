"""Wagtail API v2 for syndication partners: read-only, live public content only."""

import hashlib

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField
from django.db.models.functions import Cast

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Page, ReferenceIndex

from rest_framework.response import Response

from caching.page_cache import kept_for_readers
from news.cards import card_version
from news.models import ArticlePage
from news.models.article import card_prefetches
from news.models.visibility import visible_to_readers


class ReaderPagesAPIViewSet(PagesAPIViewSet):
    """Wagtail's pages endpoint; a listing of stories loads their series,
    bylines, franchise tags and images in one query each, not one per story.

    A listing's answer is kept under the page cache's generation, per
    address: serialising twenty pages through the API's serializers costs
    about 40 times the trivial view's CPU (bench: api_listing), and the
    answer changes only with a publish, unpublish, move or restriction,
    each of which starts a new generation. Bad parameters answer 400 and
    nothing is kept."""

    def listing_view(self, request):
        # The host too: the answer's addresses are absolute. The card version
        # too: an image, author or franchise edit changes what the items show.
        address = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
        data = kept_for_readers(
            request,
            f"api-listing:{card_version()}:{address}",
            lambda: super(ReaderPagesAPIViewSet, self).listing_view(request).data,
        )
        return Response(data)

    def get_queryset(self):
        queryset = super().get_queryset()
        if queryset.model is ArticlePage:
            queryset = queryset.select_related("series", "locale").prefetch_related(*card_prefetches())
        return queryset


class PublicImagesAPIViewSet(ImagesAPIViewSet):
    """Only images that a live, public page uses.

    The image library also holds pictures for drafts and embargoed stories;
    their titles alone could give a story away.
    """

    def get_queryset(self):
        page_type = ContentType.objects.get_for_model(Page)
        image_type = ContentType.objects.get_for_model(self.model)
        public_page_ids = (
            visible_to_readers(Page.objects.all()).annotate(pk_text=Cast("pk", CharField())).values("pk_text")
        )
        used_ids = ReferenceIndex.objects.filter(
            base_content_type=page_type, object_id__in=public_page_ids, to_content_type=image_type
        ).values_list("to_object_id", flat=True)
        return super().get_queryset().filter(pk__in=[int(pk) for pk in used_ids if pk.isdigit()])


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", ReaderPagesAPIViewSet)
api_router.register_endpoint("images", PublicImagesAPIViewSet)
