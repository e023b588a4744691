"""URLs of the statistics pages (thống kê), under /motcua/."""

from django.urls import URLPattern, path

from lienthong.onestop import views_stats

urlpatterns: list[URLPattern] = [
    path("thong-ke/", views_stats.ii06a_page, name="stats"),
    path("thong-ke/ii06a.xlsx", views_stats.ii06a_xlsx, name="stats_xlsx"),
]
