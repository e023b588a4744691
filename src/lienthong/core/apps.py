from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "lienthong.core"
    verbose_name = _("Nhân hệ thống")

    def ready(self) -> None:
        # Connects the receivers that clear the working-day cache when the calendar changes.
        from lienthong.core import calendar  # noqa: F401
