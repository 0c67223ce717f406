from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("<int:page_id>/", views.comment_form, name="comment_form"),
]
