from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnestopConfig(AppConfig):
    name = "lienthong.onestop"
    verbose_name = _("Một cửa điện tử")

    def ready(self) -> None:
        from lienthong.onestop import processing
        from lienthong.workflow import modules

        # Dossier tasks open the dossier page; dossiers move only through the one-stop
        # services (their rules, history and events), never the inbox's generic transitions.
        modules.register(
            "onestop", label=_("Một cửa"), task_url=processing.task_url, own_transitions=True
        )
        from lienthong.onestop import privacy_export
        from lienthong.privacy import exports

        exports.register("onestop", privacy_export.export_part)
