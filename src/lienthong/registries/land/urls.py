"""Pages of the land registry, under /csdl/dat-dai/: the shared registry pages for parcels
(list, detail, edit, history, import, export; `registries.base.views`), the map, the GeoJSON
export and the base layers."""

from django.urls import path

from lienthong.registries.base import registry as registries
from lienthong.registries.base.views import registry_urls
from lienthong.registries.land import views_map
from lienthong.registries.land.models import REGISTRY

app_name = "land"

urlpatterns = [
    path("ban-do/", views_map.map_page, name="map"),
    path("xuat.geojson", views_map.export_geojson, name="export_geojson"),
    path("lop-nen/", views_map.layer_list, name="layer_list"),
    path("lop-nen/them/", views_map.layer_create, name="layer_create"),
    path("lop-nen/<slug:slug>/sua/", views_map.layer_edit, name="layer_edit"),
    path("lop-nen/<slug:slug>/xoa/", views_map.layer_delete, name="layer_delete"),
    *registry_urls(registries.get(REGISTRY)),
]
