from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessageLogConfig(AppConfig):
    """The exchange layer's message log: append-only, hash-chained, bodies out of line."""

    name = "lienthong.exchange.messagelog"
    label = "exchange_log"
    verbose_name = _("Nhật ký trao đổi dữ liệu")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lienthong.core.audit import guard_tables
        from lienthong.exchange.messagelog.guards import TABLES

        # `flush` (tests, `lienthong flush`) may then empty the log like the audit log.
        guard_tables(*TABLES)
