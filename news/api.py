"""Wagtail API v2 for syndication partners: read-only, live public content only."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField
from django.db.models.functions import Cast

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Page, ReferenceIndex

from news.models.visibility import visible_to_readers


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
api_router.register_endpoint("pages", PagesAPIViewSet)
api_router.register_endpoint("images", PublicImagesAPIViewSet)
