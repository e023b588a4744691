"""Pages of the shared registry base, under /csdl/ (each registry mounts its own)."""

from django.urls import path

from lienthong.registries.base import views

app_name = "registry"

urlpatterns = [
    path("du-lieu-cua-toi/", views.my_data_access_view, name="my_data_access"),
]
