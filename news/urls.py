from django.urls import path

from wagtail.contrib.sitemaps.views import index, sitemap

from news import views
from news.feeds import FEEDS, FORMATS
from news.sitemaps import SITEMAPS

app_name = "news"

urlpatterns = [
    path("franchises/", views.franchise_index, name="franchise_index"),
    path("franchises/<slug:slug>/", views.franchise_detail, name="franchise"),
    path("authors/", views.author_index, name="author_index"),
    path("authors/<slug:slug>/", views.author_detail, name="author"),
    path("sitemap.xml", index, {"sitemaps": SITEMAPS, "sitemap_url_name": "news:sitemap_file"}, name="sitemap"),
    # Before the other files: reversing "sitemap_file" for stories finds this view.
    path("sitemap-stories.xml", views.stories_sitemap, name="sitemap_stories"),
    path("sitemap-<section>.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap_file"),
    path("news-sitemap.xml", views.news_sitemap, name="news_sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]

for fmt, feed_type in FORMATS.items():
    urlpatterns.append(path(f"feeds/latest.{fmt}", FEEDS["latest"](feed_type), name=f"feed_latest_{fmt}"))
    for scope in ("section", "series", "franchise", "author"):
        urlpatterns.append(
            path(f"feeds/{scope}/<slug:slug>.{fmt}", FEEDS[scope](feed_type), name=f"feed_{scope}_{fmt}")
        )
