"""URLs of the address lookup, unit pages and the agency tree."""

from django.urls import URLPattern, path

from lienthong.core import views_units

urlpatterns: list[URLPattern] = [
    path("units/", views_units.units_lookup, name="units_lookup"),
    path("units/<str:era>/<str:code>/", views_units.unit_detail, name="unit_detail"),
    path("agencies/", views_units.agencies_tree, name="agencies_tree"),
    path("agencies/<int:pk>/", views_units.agency_detail, name="agency_detail"),
]
