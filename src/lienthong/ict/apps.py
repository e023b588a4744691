from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IctConfig(AppConfig):
    name = "lienthong.ict"
    label = "ict"
    verbose_name = _("Hạ tầng CNTT và an toàn thông tin")
