from django.urls import path

from readership import views

app_name = "readership"

urlpatterns = [
    path("reads/<int:page_id>/<str:token>/", views.story_read, name="story_read"),
]
