from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    name = "lienthong.registries.legal"
    label = "legal"
    verbose_name = _("Văn bản quy phạm pháp luật")
