from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    """External systems that call the platform's services and receive its events."""

    name = "lienthong.exchange.clients"
    label = "exchange_clients"
    verbose_name = _("Hệ thống kết nối")
    default_auto_field = "django.db.models.BigAutoField"
