from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from live.api import LiveUpdatesAPIViewSet
from news.api import api_router
from operations.health import healthz

api_router.register_endpoint("live-updates", LiveUpdatesAPIViewSet)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path(f"{settings.WAGTAIL_ADMIN_PATH}/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v2/", api_router.urls),
    path("search/", include("search.urls")),
    path("follow/", include("alerts.urls")),
    path("comments/", include("comments.urls")),
    path("live/", include("live.urls")),
    path("calendar/", include("editorial.urls")),
    path("", include("readership.urls")),
    path("", include("news.urls")),
]

if settings.BENCH_ENDPOINTS:
    urlpatterns.insert(0, path("__bench__/", include("bench.urls")))

if settings.DEBUG or settings.SERVE_MEDIA:
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]

# Wagtail's page serving is the catch-all, so it comes last.
urlpatterns += [path("", include(wagtail_urls))]
