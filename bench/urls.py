from django.urls import path

from bench import views

# Routed only with TALKIES_BENCH_ENDPOINTS (`make bench`), never in production.
urlpatterns = [path("trivial", views.trivial)]
