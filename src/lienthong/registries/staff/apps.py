from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    """The staff registry (cơ sở dữ liệu cán bộ, công chức, viên chức) and its teachers."""

    name = "lienthong.registries.staff"
    label = "staff"
    verbose_name = _("Cơ sở dữ liệu cán bộ, công chức, viên chức")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lienthong.registries.staff import registry

        registry.register_all()
