from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdaptersConfig(AppConfig):
    """Adapters to systems outside the platform: the national public service portal, the
    provincial LGSP gateway and other Liên Thông deployments (edXML documents)."""

    name = "lienthong.exchange.adapters"
    label = "exchange_adapters"
    verbose_name = _("Kết nối hệ thống ngoài")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Link the adapters' page from the exchange home page (/lien-thong/)."""
        from lienthong.exchange.adapters.views import can_view
        from lienthong.exchange.clients.menu import register_link

        register_link(
            _("Kết nối hệ thống ngoài: Cổng DVC quốc gia, LGSP, văn bản edXML"),
            "/lien-thong/ket-noi/",
            can_view,
        )
