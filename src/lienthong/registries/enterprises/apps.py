from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    """The enterprise registry (doanh nghiệp) and investment projects (dự án đầu tư)."""

    name = "lienthong.registries.enterprises"
    label = "enterprises"
    verbose_name = _("Cơ sở dữ liệu doanh nghiệp")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lienthong.registries.base.access import register_lookup
        from lienthong.registries.enterprises import registry
        from lienthong.registries.enterprises.lookups import EnterpriseLookup

        registry.register_all()
        register_lookup(EnterpriseLookup())
        # The history page names each entry by the last part of its action; the base knows
        # its own (create, update, …), these are this app's.
        from lienthong.registries.base.services import ACTION_LABELS

        labels: dict[str, Any] = ACTION_LABELS
        labels.setdefault("status", _("Thay đổi tình trạng hoạt động"))
        labels.setdefault("amend", _("Điều chỉnh giấy chứng nhận đăng ký đầu tư"))
        labels.setdefault("terminate", _("Chấm dứt hoạt động dự án"))
