"""URL of the calendar page: a year's holidays and working Saturdays, and a calculator."""

from django.urls import URLPattern, path

from lienthong.core.views_calendar import calendar_page

urlpatterns: list[URLPattern] = [path("calendar/", calendar_page, name="calendar")]
