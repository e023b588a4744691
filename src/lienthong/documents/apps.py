from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "lienthong.documents"
    label = "documents"
    verbose_name = _("Quản lý văn bản và điều hành")

    def ready(self) -> None:
        from lienthong.workflow import modules

        # Document tasks are loose tasks (no case): each one links to the document's page.
        modules.register("documents", label=_("Văn bản"))
        from lienthong.documents import hooks

        hooks.install()
