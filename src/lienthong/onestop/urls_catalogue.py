"""URLs of the procedure catalogue (danh mục thủ tục hành chính), under /motcua/."""

from django.urls import URLPattern, path

from lienthong.onestop import views_catalogue

urlpatterns: list[URLPattern] = [
    path("thu-tuc/", views_catalogue.catalogue_list, name="catalogue_list"),
    # Fixed paths before the code: a code never looks like these.
    path("thu-tuc/nhap-xuat/", views_catalogue.catalogue_transfer, name="catalogue_transfer"),
    path("thu-tuc/xuat/", views_catalogue.catalogue_export, name="catalogue_export"),
    path("thu-tuc/<str:code>/", views_catalogue.catalogue_detail, name="catalogue_detail"),
    path(
        "thu-tuc/<str:code>/mau/<int:order>/",
        views_catalogue.catalogue_form_file,
        name="catalogue_form_file",
    ),
]
