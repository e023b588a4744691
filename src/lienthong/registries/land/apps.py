from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LandConfig(AppConfig):
    """The land and base GIS registry (cơ sở dữ liệu đất đai, GIS nền)."""

    name = "lienthong.registries.land"
    label = "land"
    verbose_name = _("Cơ sở dữ liệu đất đai")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lienthong.registries.land import registry

        registry.register_all()
