"""Search pages (mounted at /search/)."""

from django.urls import path

from lienthong.search import views

app_name = "search"
urlpatterns = [path("", views.results, name="results")]
