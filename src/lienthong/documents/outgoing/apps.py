from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutgoingConfig(AppConfig):
    name = "lienthong.documents.outgoing"
    label = "documents_outgoing"
    verbose_name = _("Văn bản đi")

    def ready(self) -> None:
        from lienthong.documents.outgoing import hooks

        hooks.install()
