"""The public dossier lookup at the site's top level (/tra-cuu/), for the QR code on slips."""

from django.urls import path

from lienthong.onestop import views_intake

app_name = "lookup"
urlpatterns = [path("", views_intake.lookup, name="lookup")]
