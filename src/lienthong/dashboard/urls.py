from django.urls import path

from lienthong.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard_page, name="page"),
    path("pdf/", views.dashboard_pdf, name="pdf"),
]
