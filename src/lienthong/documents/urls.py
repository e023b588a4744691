"""Pages of the documents module, mounted at /van-ban/."""

from django.urls import URLPattern, URLResolver, include, path

from lienthong.documents import views

app_name = "documents"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("den/", views.incoming_list, name="incoming_list"),
    path("den/them/", views.incoming_create, name="incoming_create"),
    path("den/so.<str:fmt>", views.incoming_register_file, name="incoming_register"),
    path("den/<int:pk>/", views.incoming_detail, name="incoming_detail"),
    path("den/<int:pk>/tiep-nhan/", views.incoming_accept, name="incoming_accept"),
    path("den/<int:pk>/tu-choi/", views.incoming_refuse, name="incoming_refuse"),
    path("den/<int:pk>/phan-cong/", views.incoming_assign, name="incoming_assign"),
    path("den/<int:pk>/y-kien/", views.incoming_opinion, name="incoming_opinion"),
    path("den/<int:pk>/hoan-thanh/", views.incoming_complete, name="incoming_complete"),
    path("den/<int:pk>/don-doc/", views.incoming_follow_up, name="incoming_follow_up"),
    path("den/<int:pk>/tep/<int:file_pk>/", views.incoming_file, name="incoming_file"),
    path("tim-kiem/", views.search, name="search"),
    # Outgoing documents (sub-app documents.outgoing).
    path("di/", include("lienthong.documents.outgoing.urls")),
]
