from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetConfig(AppConfig):
    """Thu chi ngân sách: planned and actual revenue and expenditure, period reports."""

    name = "lienthong.registries.budget"
    label = "budget"
    verbose_name = _("Thu chi ngân sách")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lienthong.registries.budget import registration

        registration.register_types()
