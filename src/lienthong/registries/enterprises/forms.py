"""Forms of the enterprise registry: edit forms for the shared pages, and this app's own
actions (status change, branch, certificate amendment, termination)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.registries.base.forms import RegistryForm, style_fields
from lienthong.registries.enterprises import services, vsic
from lienthong.registries.enterprises.models import (
    STATUS_TRANSITIONS,
    BranchKind,
    Enterprise,
    EnterpriseStatus,
    InvestmentProject,
    investors_text,
    split_codes,
)

ADDRESS_PARTS = ("street", "commune", "commune_legacy", "address_original")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EnterpriseForm(RegistryForm):
    """An enterprise's data with its lines of business (the status has its own form)."""

    main_line_code = forms.ChoiceField(label=_("Ngành, nghề kinh doanh chính (VSIC)"))
    other_line_codes = forms.CharField(
        label=_("Ngành, nghề khác"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mã VSIC cấp 4 hoặc 5, cách nhau bằng dấu phẩy, chấm phẩy hoặc xuống dòng."),
    )

    class Meta:
        model = Enterprise
        fields = [
            "owner",
            "tax_code",
            "name",
            "name_foreign",
            "name_short",
            "enterprise_type",
            "founded_on",
            "charter_capital",
            "representative_name",
            "representative_personal_id",
            "representative_title",
            *(f"address_{part}" for part in ADDRESS_PARTS),
            "phone",
            "email",
        ]
        widgets = {"founded_on": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        main = self.fields["main_line_code"]
        assert isinstance(main, forms.ChoiceField)
        main.choices = [("", _("— chọn ngành —")), *vsic.choices()]
        if self.instance.pk:
            self.initial["main_line_code"] = self.instance.main_line
            self.initial["other_line_codes"] = self.instance.other_lines.replace(";", ", ")
        style_fields(self)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        try:
            self.instance.stage_lines(
                cleaned.get("main_line_code", ""), split_codes(cleaned.get("other_line_codes", ""))
            )
        except ValidationError as exc:
            for message in exc.message_dict.get("lines", exc.messages):
                self.add_error("other_line_codes", message)
        return cleaned


class ProjectForm(RegistryForm):
    """A project's data as recorded; changes to a certificate go through an amendment."""

    investors_text = forms.CharField(
        label=_("Nhà đầu tư"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "“Tên (mã số thuế hoặc số định danh)”, cách nhau bằng dấu chấm phẩy; doanh nghiệp "
            "đã có trong cơ sở dữ liệu: chỉ cần mã số thuế."
        ),
    )

    class Meta:
        model = InvestmentProject
        fields = [
            "owner",
            "code",
            "name",
            "objectives",
            "capital",
            *(f"location_{part}" for part in ADDRESS_PARTS),
            "land_area",
            "duration_years",
            "certificate_number",
            "certificate_date",
        ]
        widgets = {"certificate_date": DATE, "objectives": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["investors_text"] = investors_text(self.instance.investors.all())
        style_fields(self)

    def clean_investors_text(self) -> str:
        text: str = self.cleaned_data.get("investors_text", "")
        try:
            investors = services.parse_investors(text)
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict.get("investors", exc.messages)) from exc
        if not investors:
            raise forms.ValidationError(_("Dự án phải có ít nhất một nhà đầu tư."))
        self.instance.stage_investors(i.as_row() for i in investors)
        return text


class StatusForm(forms.Form):
    """Change an enterprise's status: suspend, resume, dissolve."""

    to_status = forms.ChoiceField(label=_("Tình trạng mới"))
    effective_on = forms.DateField(label=_("Ngày hiệu lực"), widget=DATE)
    until = forms.DateField(
        label=_("Tạm ngừng đến ngày"),
        required=False,
        widget=DATE,
        help_text=_("Chỉ khi tạm ngừng kinh doanh."),
    )
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}))
    decision = forms.CharField(label=_("Văn bản, quyết định"), max_length=100, required=False)

    def __init__(self, *args: Any, enterprise: Enterprise, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (value, label)
            for value, label in EnterpriseStatus.choices
            if value in STATUS_TRANSITIONS[enterprise.status]
        ]
        self.initial.setdefault("effective_on", timezone.localdate())
        style_fields(self)


class BranchForm(forms.Form):
    """Register a dependent unit."""

    kind = forms.ChoiceField(label=_("Loại"), choices=BranchKind.choices)
    tax_code = forms.CharField(label=_("Mã số đơn vị phụ thuộc"), max_length=20, required=False)
    name = forms.CharField(label=_("Tên"), max_length=255)
    head_name = forms.CharField(label=_("Người đứng đầu"), max_length=150, required=False)
    street = forms.CharField(label=_("Số nhà, đường"), max_length=255, required=False)
    commune = forms.CharField(label=_("Mã xã, phường (từ 1/7/2025)"), max_length=5, required=False)
    commune_legacy = forms.CharField(
        label=_("Mã xã, phường cũ (trước 1/7/2025)"), max_length=5, required=False
    )
    address_text = forms.CharField(
        label=_("Hoặc địa chỉ viết đầy đủ"), max_length=500, required=False
    )
    opened_on = forms.DateField(label=_("Ngày đăng ký"), required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class AmendmentForm(forms.Form):
    """Amend a project's certificate: only the fields filled in change."""

    amended_on = forms.DateField(label=_("Ngày điều chỉnh"), widget=DATE)
    certificate_number = forms.CharField(
        label=_("Số giấy chứng nhận điều chỉnh"), max_length=50, required=False
    )
    summary = forms.CharField(
        label=_("Nội dung điều chỉnh"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    name = forms.CharField(label=_("Tên dự án mới"), max_length=500, required=False)
    objectives = forms.CharField(
        label=_("Mục tiêu mới"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    capital = forms.IntegerField(label=_("Vốn đầu tư mới (đồng)"), min_value=0, required=False)
    land_area = forms.DecimalField(
        label=_("Diện tích đất mới (m²)"), min_value=0, decimal_places=2, required=False
    )
    duration_years = forms.IntegerField(
        label=_("Thời hạn hoạt động mới (năm)"), min_value=1, max_value=70, required=False
    )
    location_street = forms.CharField(
        label=_("Địa điểm mới: số nhà, đường, khu"), max_length=255, required=False
    )
    location_commune = forms.CharField(
        label=_("Địa điểm mới: mã xã, phường"), max_length=5, required=False
    )
    investors_text = forms.CharField(
        label=_("Nhà đầu tư (nếu thay đổi)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("amended_on", timezone.localdate())
        style_fields(self)

    def project_data(self) -> services.ProjectData:
        """The changes as the service takes them."""
        data = self.cleaned_data
        investors = services.parse_investors(data.get("investors_text", ""))
        return services.ProjectData(
            name=data.get("name", ""),
            objectives=data.get("objectives", ""),
            capital=data.get("capital"),
            land_area=data.get("land_area"),
            duration_years=data.get("duration_years"),
            location_street=data.get("location_street", ""),
            location_commune=data.get("location_commune", ""),
            investors=investors,
        )


class TerminationForm(forms.Form):
    """Terminate a project."""

    on = forms.DateField(label=_("Ngày chấm dứt"), widget=DATE)
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("on", timezone.localdate())
        style_fields(self)
