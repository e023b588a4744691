from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "lienthong.workflow"
    verbose_name = _("Quy trình")

    def ready(self) -> None:
        # The official's home page is the inbox; core offers the slot so that it does not
        # import this higher layer.
        from lienthong.core.views import register_home
        from lienthong.workflow.views import inbox

        register_home("official", inbox)
