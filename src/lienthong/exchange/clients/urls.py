"""Pages of the exchange layer, under /lien-thong/."""

from django.urls import path

from lienthong.exchange.clients import views
from lienthong.exchange.messagelog import views as log_views

app_name = "exchange_clients"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("danh-muc/", views.catalogue_view, name="catalogue"),
    path("danh-muc/<str:code>/", views.service_view, name="service"),
    path("danh-muc/<str:code>/chu-quan/", views.service_owner_view, name="service_owner"),
    path("he-thong/", views.clients_view, name="clients"),
    path("he-thong/dang-ky/", views.client_create_view, name="client_create"),
    path("he-thong/<str:code>/", views.client_view, name="client"),
    path("he-thong/<str:code>/trang-thai/", views.client_status_view, name="client_status"),
    path("he-thong/<str:code>/khoa/", views.credential_create_view, name="credential_create"),
    path(
        "he-thong/<str:code>/khoa/<str:key_id>/doi/",
        views.credential_rotate_view,
        name="credential_rotate",
    ),
    path(
        "he-thong/<str:code>/khoa/<str:key_id>/thu-hoi/",
        views.credential_revoke_view,
        name="credential_revoke",
    ),
    path("he-thong/<str:code>/quyen/", views.grant_request_view, name="grant_request"),
    path("quyen/", views.grants_view, name="grants"),
    path("quyen/<int:pk>/<str:decision>/", views.grant_decide_view, name="grant_decide"),
    path("nhat-ky/", log_views.log_list_view, name="log"),
    path("nhat-ky/<int:pk>/", log_views.log_entry_view, name="log_entry"),
    path("nhat-ky/<int:pk>/<str:which>/", log_views.log_body_view, name="log_body"),
]
