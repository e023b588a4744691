from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryBaseConfig(AppConfig):
    """The shared base of the registries: grants, the data-access log, import runs."""

    name = "lienthong.registries.base"
    label = "registry"
    verbose_name = _("Cơ sở dữ liệu dùng chung")
    default_auto_field = "django.db.models.BigAutoField"
