from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    """Event delivery to client systems: signed webhooks, dead letters, the NATS bridge."""

    name = "lienthong.exchange.delivery"
    label = "exchange_delivery"
    verbose_name = _("Chuyển sự kiện")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """A link on the exchange home page (/lien-thong/) to the events page."""
        from lienthong.exchange.clients.menu import register_link

        register_link(_("Sự kiện và webhook"), "/lien-thong/su-kien/")
