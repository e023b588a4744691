"""Pages of the one-stop shop; each area keeps its patterns in its own module."""

from lienthong.onestop import urls_catalogue, urls_intake, urls_processing, urls_stats

app_name = "onestop"
urlpatterns = [
    *urls_catalogue.urlpatterns,
    *urls_intake.urlpatterns,
    *urls_processing.urlpatterns,
    *urls_stats.urlpatterns,
]
