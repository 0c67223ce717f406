from django.urls import path

from editorial import views

app_name = "editorial"

urlpatterns = [
    path("<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
