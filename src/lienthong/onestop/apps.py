from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnestopConfig(AppConfig):
    name = "lienthong.onestop"
    verbose_name = _("Một cửa điện tử")
