"""URLs of the legal registry, mounted at /csdl/van-ban/."""

from django.urls import path

from lienthong.registries.legal import views

app_name = "legal"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("them/", views.document_create, name="create"),
    path("da-xoa/", views.deleted_list, name="deleted"),
    path("nhap/", views.document_import, name="import"),
    path("nhap/<int:pk>/", views.import_job, name="import_job"),
    path("nhap/<int:pk>/loi.csv", views.import_errors, name="import_errors"),
    path("xuat/", views.document_export, name="export"),
    path("<slug:slug>/", views.document_detail, name="detail"),
    path("<slug:slug>/in/", views.document_print, name="print"),
    path("<slug:slug>/sua/", views.document_edit, name="edit"),
    path("<slug:slug>/xoa/", views.document_delete, name="delete"),
    path("<slug:slug>/khoi-phuc/", views.document_restore, name="restore"),
    path("<slug:slug>/lich-su/", views.document_history, name="history"),
    path("<slug:slug>/quan-he/", views.relation_add, name="relation_add"),
    path("<slug:slug>/quan-he/<int:pk>/xoa/", views.relation_remove, name="relation_remove"),
]
