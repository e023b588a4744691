"""Forms of the ICT pages: they parse input only; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lienthong.ict.indicators import CHOICES
from lienthong.ict.models import ComplianceStatus, Incident, Software
from lienthong.ict.services import ReportFigures

_NUMBER = {"class": "form-control", "min": "0"}


class ReportForm(forms.Form):
    """The figures of one inventory report."""

    staff = forms.IntegerField(label=_("Số cán bộ, công chức"), min_value=0)
    staff_with_computer = forms.IntegerField(label=_("Số cán bộ có máy tính"), min_value=0)
    computers = forms.IntegerField(label=_("Số máy tính"), min_value=0)
    computers_with_antivirus = forms.IntegerField(
        label=_("Số máy tính có phần mềm diệt virus"), min_value=0
    )
    servers = forms.IntegerField(label=_("Số máy chủ"), min_value=0)
    has_lan = forms.BooleanField(label=_("Có mạng LAN"), required=False)
    has_fibre = forms.BooleanField(label=_("Có kết nối cáp quang"), required=False)
    has_wireless = forms.BooleanField(label=_("Có mạng không dây"), required=False)
    dedicated_network = forms.BooleanField(
        label=_("Kết nối mạng truyền số liệu chuyên dùng"), required=False
    )
    dedicated_network_points = forms.IntegerField(
        label=_("Số điểm kết nối mạng chuyên dùng"), min_value=0
    )
    lans = forms.IntegerField(label=_("Số mạng LAN"), min_value=0)
    lans_protected = forms.IntegerField(
        label=_("Số mạng LAN có tường lửa và phát hiện xâm nhập"), min_value=0
    )
    it_staff = forms.IntegerField(label=_("Số cán bộ chuyên trách CNTT"), min_value=0)
    software = forms.MultipleChoiceField(
        label=_("Phần mềm đang dùng"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["software"].choices = [  # type: ignore[attr-defined]
            (s.code, s.name) for s in Software.objects.filter(is_active=True)
        ]
        for field in self.fields.values():
            if isinstance(field, forms.IntegerField):
                field.widget.attrs.update(_NUMBER)
            elif isinstance(field, forms.BooleanField):
                field.widget.attrs["class"] = "form-check-input"

    def figures(self) -> ReportFigures:
        """The cleaned figures."""
        return ReportFigures(**self.cleaned_data)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do trả lại"), widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp XLSX"), widget=forms.ClearableFileInput(attrs={"class": "form-control"})
    )
    submit = forms.BooleanField(label=_("Gửi luôn các báo cáo sau khi nhập"), required=False)


class TargetForm(forms.Form):
    indicator = forms.ChoiceField(
        label=_("Chỉ số"), choices=CHOICES, widget=forms.Select(attrs={"class": "form-select"})
    )
    value = forms.DecimalField(
        label=_("Giá trị mục tiêu"),
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    due = forms.DateField(
        label=_("Hạn"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    note = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class ComplianceForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Kết quả"),
        choices=ComplianceStatus.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(
        label=_("Minh chứng, ghi chú"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    evidence = forms.FileField(
        label=_("Tệp minh chứng"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )


class IncidentForm(forms.Form):
    agency = forms.ChoiceField(
        label=_("Cơ quan"), widget=forms.Select(attrs={"class": "form-select"})
    )
    title = forms.CharField(
        label=_("Tóm tắt"), widget=forms.TextInput(attrs={"class": "form-control"})
    )
    detected_at = forms.DateTimeField(
        label=_("Phát hiện lúc"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}),
    )
    severity = forms.ChoiceField(
        label=_("Mức độ"),
        choices=Incident.Severity.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    description = forms.CharField(
        label=_("Mô tả"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
