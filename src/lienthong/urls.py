"""URL map of the platform."""

from django.contrib import admin
from django.urls import include, path

from lienthong.api import api

urlpatterns = [
    # First: the API answers the most requests, and Django tries the patterns in order.
    path("api/", api.urls),
    path("", include("lienthong.core.urls")),
    path("accounts/", include("lienthong.accounts.urls")),
    path("inbox/", include("lienthong.workflow.urls")),
    path("search/", include("lienthong.search.urls")),
    path("motcua/", include("lienthong.onestop.urls")),
    path("tra-cuu/", include("lienthong.onestop.urls_lookup")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
