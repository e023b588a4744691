"""Pages of the outgoing documents, mounted at /van-ban/di/ by documents/urls.py."""

from django.urls import path

from lienthong.documents.outgoing import views

app_name = "documents_outgoing"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("moi/", views.document_new, name="new"),
    path("so-dang-ky/", views.register, name="register"),
    path("kiem-tra-chu-ky/", views.verify, name="verify"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/tep/<int:file_id>/", views.document_file, name="file"),
    path(
        "<int:pk>/<slug:action>/",
        views.document_action,
        name="action",
    ),
]
