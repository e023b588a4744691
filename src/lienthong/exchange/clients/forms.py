"""Forms of the gateway's pages (parsing only; the services validate and write)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.lookups import StartsWith
from django.utils.translation import gettext_lazy as _

from lienthong.accounts.models import RoleAssignment
from lienthong.core.models import OrgUnit
from lienthong.exchange.clients import catalogue
from lienthong.exchange.clients.models import ClientSystem, Credential
from lienthong.exchange.clients.permissions import CLIENT_MANAGER_ROLES, is_operator


def manageable_agencies(user: Any) -> QuerySet[OrgUnit]:
    """Agencies whose client systems `user` may register."""
    agencies = OrgUnit.objects.filter(is_agency=True, is_active=True).order_by("path")
    if is_operator(user):
        return agencies
    held = RoleAssignment.objects.filter(
        user=user, role__in=CLIENT_MANAGER_ROLES, org_unit__isnull=False
    ).filter(StartsWith(OuterRef("path"), F("org_unit__path")))
    return agencies.filter(Exists(held))


class StyledForm(forms.Form):
    """A form whose widgets carry Bootstrap's classes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)


class ClientForm(StyledForm):
    """Register a client system."""

    code = forms.CharField(label=_("Mã hệ thống"), max_length=60)
    name = forms.CharField(label=_("Tên hệ thống"), max_length=255)
    agency = forms.ModelChoiceField(label=_("Cơ quan quản lý"), queryset=OrgUnit.objects.none())
    purpose = forms.CharField(label=_("Mục đích kết nối"), widget=forms.Textarea(attrs={"rows": 3}))
    contact_name = forms.CharField(label=_("Người liên hệ"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Thư điện tử liên hệ"), required=False)
    contact_phone = forms.CharField(label=_("Điện thoại liên hệ"), max_length=20, required=False)
    rate_limit_per_minute = forms.IntegerField(
        label=_("Giới hạn lượt gọi mỗi phút"),
        required=False,
        min_value=1,
        max_value=1_000_000,
        help_text=_("Để trống: dùng mức chung của nền tảng."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = manageable_agencies(user)  # type: ignore[attr-defined]


class CredentialForm(StyledForm):
    """Issue a credential."""

    kind = forms.ChoiceField(label=_("Loại khoá"), choices=Credential.Kind.choices)
    label = forms.CharField(label=_("Ghi chú"), max_length=200, required=False)


class GrantRequestForm(StyledForm):
    """Ask for a grant of a service (or one operation)."""

    service = forms.ChoiceField(label=_("Dịch vụ"))
    operation = forms.CharField(
        label=_("Thao tác (operationId)"),
        max_length=200,
        required=False,
        help_text=_("Để trống: cả dịch vụ."),
    )
    purpose = forms.CharField(label=_("Mục đích sử dụng"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [  # type: ignore[attr-defined]
            (s.code, f"{s.code} — {s.title}") for s in catalogue.all_services() if s.client_access
        ]


class DecisionForm(StyledForm):
    """A decision on a grant, with its note (required to refuse)."""

    note = forms.CharField(label=_("Ghi chú / lý do"), max_length=500, required=False)


class StatusForm(StyledForm):
    """Change a system's status."""

    status = forms.ChoiceField(label=_("Trạng thái"), choices=ClientSystem.Status.choices)


class OwnerForm(StyledForm):
    """The owner agency of a service (empty: the platform)."""

    agency = forms.ModelChoiceField(
        label=_("Cơ quan chủ quản"),
        queryset=OrgUnit.objects.filter(is_agency=True, is_active=True).order_by("path"),
        required=False,
        empty_label=_("Nền tảng (không giao riêng)"),
    )


class LogFilterForm(StyledForm):
    """Filters of the message-log list."""

    chain = forms.CharField(label=_("Chuỗi"), required=False, max_length=40)
    client = forms.CharField(label=_("Mã hệ thống"), required=False, max_length=60)
    service = forms.CharField(label=_("Dịch vụ"), required=False, max_length=200)
    outcome = forms.ChoiceField(
        label=_("Kết quả"),
        required=False,
        choices=[("", _("Tất cả"))]
        + [
            (v, str(lbl))
            for v, lbl in [("ok", _("Thành công")), ("error", _("Lỗi")), ("refused", _("Từ chối"))]
        ],
    )
    since = forms.DateField(
        label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
