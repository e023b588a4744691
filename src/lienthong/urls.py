"""URL map of the platform."""

from django.contrib import admin
from django.urls import include, path

from lienthong.api import api
from lienthong.portal import views as portal_views

urlpatterns = [
    # First: the API answers the most requests, and Django tries the patterns in order.
    path("api/", api.urls),
    # / : core's home, or the portal for anonymous visitors when PORTAL_AT_ROOT is on.
    path("", portal_views.root),
    path("", include("lienthong.core.urls")),
    path("cong/", include("lienthong.portal.urls")),
    path("accounts/", include("lienthong.accounts.urls")),
    path("inbox/", include("lienthong.workflow.urls")),
    path("search/", include("lienthong.search.urls")),
    path("motcua/", include("lienthong.onestop.urls")),
    path("khieu-nai/", include("lienthong.complaints.urls")),
    path("du-lieu-ca-nhan/", include("lienthong.privacy.urls")),
    path("tra-cuu/", include("lienthong.onestop.urls_lookup")),
    path("van-ban/", include("lienthong.documents.urls")),
    path("lich-cong-tac/", include("lienthong.documents.calendar.urls")),
    path("csdl/", include("lienthong.registries.base.urls")),
    path("csdl/dan-cu/", include("lienthong.registries.population.urls")),
    path("csdl/", include("lienthong.registries.enterprises.urls")),
    path("csdl/van-ban/", include("lienthong.registries.legal.urls")),
    path("csdl/dat-dai/", include("lienthong.registries.land.urls")),
    path("csdl/lao-dong/", include("lienthong.registries.labour.urls")),
    path("csdl/ngan-sach/", include("lienthong.registries.budget.urls")),
    path("csdl/can-bo/", include("lienthong.registries.staff.urls")),
    path("csdl/giao-vien/", include("lienthong.registries.staff.urls_teachers")),
    path("lien-thong/su-kien/", include("lienthong.exchange.delivery.urls")),
    path("lien-thong/", include("lienthong.exchange.clients.urls")),
    path("lien-thong/ket-noi/", include("lienthong.exchange.adapters.urls")),
    path("bang-dieu-hanh/", include("lienthong.dashboard.urls")),
    path("ha-tang-cntt/", include("lienthong.ict.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
