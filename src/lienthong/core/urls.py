"""Pages of the kernel: home (inbox), administrative units, agencies, calendar."""

from lienthong.core import urls_calendar, urls_units, views

app_name = "core"
urlpatterns = [
    *views.urlpatterns,
    *urls_units.urlpatterns,
    *urls_calendar.urlpatterns,
]
