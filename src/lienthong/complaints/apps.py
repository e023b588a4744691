from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "lienthong.complaints"
    verbose_name = _("Khiếu nại, tố cáo, tiếp công dân")

    def ready(self) -> None:
        from lienthong.complaints.services import task_url
        from lienthong.workflow import modules

        # Complaint tasks open the complaint page; complaints move only through the
        # complaints services (statutory time limits, history, events), never the inbox's
        # generic transitions.
        modules.register(
            "complaints", label=_("Khiếu nại, tố cáo"), task_url=task_url, own_transitions=True
        )
        from lienthong.complaints import privacy_export
        from lienthong.privacy import exports

        exports.register("complaints", privacy_export.export_part)
