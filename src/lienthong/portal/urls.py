"""URLs of the public portal, mounted at /cong/ (fastpath.PREFIX)."""

from django.urls import path

from lienthong.portal import views
from lienthong.portal.feeds import LatestNews

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("chuyen-muc/<slug:slug>/", views.category, name="category"),
    path("tin/<slug:slug>/", views.article, name="article"),
    path("thong-ke/", views.statistics, name="statistics"),
    path("thu-tuc/", views.catalogue, name="catalogue"),
    path("thu-tuc/<str:code>/", views.procedure, name="procedure"),
    path("tra-cuu/", views.lookup, name="lookup"),
    path("van-ban/", views.legal, name="legal"),
    path("anh/<int:pk>/", views.image, name="image"),
    path("ngon-ngu/", views.switch_language, name="language"),
    path("rss.xml", LatestNews(), name="rss"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
]
