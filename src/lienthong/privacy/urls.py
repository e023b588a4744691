"""Pages under /du-lieu-ca-nhan/."""

from django.urls import path

from lienthong.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("dong-y/<int:pk>/rut-lai/", views.withdraw, name="withdraw"),
    path("gui-yeu-cau/", views.file_request, name="file_request"),
    path("tai-ve/", views.export, name="export"),
    path("yeu-cau/", views.queue, name="queue"),
    path("yeu-cau/<int:pk>/", views.request_detail, name="request"),
    path("nhat-ky-truy-cap/", views.access_log, name="access_log"),
]
