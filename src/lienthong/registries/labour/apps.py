from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabourConfig(AppConfig):
    """Thị trường lao động: job seekers, vacancies and the matching between them."""

    name = "lienthong.registries.labour"
    label = "labour"
    verbose_name = _("Thị trường lao động")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lienthong.registries.labour import registration

        registration.register_types()
