"""Pages of the budget registry, under /csdl/ngan-sach/."""

from django.urls import path

from lienthong.registries.base import registry as registries
from lienthong.registries.base.views import registry_urls
from lienthong.registries.budget import views
from lienthong.registries.budget.registration import LINES

app_name = "budget"

urlpatterns = [
    path("bao-cao/", views.report_view, name="report"),
    path("bao-cao/xlsx/", views.report_xlsx_view, name="report_xlsx"),
    *registry_urls(registries.get(LINES)),
]
