"""Pages of event delivery, mounted at /lien-thong/su-kien/."""

from django.urls import path

from lienthong.exchange.delivery import views

app_name = "exchange_delivery"

urlpatterns = [
    path("", views.events_view, name="events"),
    path("thu-chet/<int:pk>/chuyen-lai/", views.replay_view, name="replay"),
]
