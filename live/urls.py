from django.urls import path

from live import views

app_name = "live"

urlpatterns = [
    path("breaking-news/", views.breaking_news, name="breaking_news"),
    path("<int:page_id>/updates/", views.updates_fragment, name="updates_fragment"),
    path("<int:page_id>/updates.atom", views.LiveUpdatesFeed(), name="updates_feed"),
]
