from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Personal data protection (bảo vệ dữ liệu cá nhân): consents, data-subject requests,
    a citizen's export of their own data, the sensitive-data access log."""

    name = "lienthong.privacy"
    label = "privacy"
    verbose_name = _("Bảo vệ dữ liệu cá nhân")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lienthong.privacy import exports

        exports.register("account", exports.account_part)
        exports.register("privacy", exports.privacy_part)
