from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarConfig(AppConfig):
    """Work calendar (lịch công tác): rooms, meetings, weekly schedules."""

    name = "lienthong.documents.calendar"
    label = "documents_calendar"
    verbose_name = _("Lịch công tác")
