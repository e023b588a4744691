"""Pages of the adapters, under /lien-thong/ket-noi/."""

from django.urls import path

from lienthong.exchange.adapters import views

app_name = "exchange_adapters"

urlpatterns = [
    path("", views.overview, name="overview"),
]
