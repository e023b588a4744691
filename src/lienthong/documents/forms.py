"""Forms of the documents pages: registration, assignment, short texts, filters, search."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import OrgUnit
from lienthong.documents.models import Direction, DocumentType, IncomingDocument, Secrecy, Urgency


class StyledForm(forms.Form):
    """Bootstrap classes on every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class IncomingForm(StyledForm):
    """What the clerk enters to register an incoming document."""

    agency = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label=_("Cơ quan nhận"))
    issuer = forms.CharField(label=_("Cơ quan ban hành (tác giả)"), max_length=255)
    code_number = forms.CharField(label=_("Số"), max_length=20, required=False)
    code_notation = forms.CharField(label=_("Ký hiệu"), max_length=80, required=False)
    issued_date = forms.DateField(
        label=_("Ngày văn bản"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    document_type = forms.ModelChoiceField(
        queryset=DocumentType.objects.filter(is_active=True), label=_("Loại văn bản")
    )
    subject = forms.CharField(
        label=_("Trích yếu nội dung"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    urgency = forms.TypedChoiceField(
        label=_("Độ khẩn"), choices=Urgency.choices, coerce=int, initial=Urgency.NORMAL
    )
    secrecy = forms.TypedChoiceField(
        label=_("Độ mật"), choices=Secrecy.choices, coerce=int, initial=Secrecy.NORMAL
    )
    recipient = forms.CharField(label=_("Đơn vị hoặc người nhận"), max_length=255, required=False)
    signer = forms.CharField(label=_("Người ký"), max_length=150, required=False)
    due_date = forms.DateField(
        label=_("Hạn trả lời"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    attachments = MultipleFileField(label=_("Tệp văn bản"), required=False)
    confirm_duplicate = forms.BooleanField(
        label=_("Tôi đã kiểm tra: vẫn vào sổ văn bản trùng số, ký hiệu, cơ quan ban hành"),
        required=False,
    )

    def __init__(self, *args: Any, agencies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = agencies if agencies is not None else OrgUnit.objects.none()


class AssignForm(StyledForm):
    """The leader's assignment."""

    lead_unit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label=_("Đơn vị chủ trì"))
    cooperating = forms.ModelMultipleChoiceField(
        queryset=OrgUnit.objects.none(), label=_("Đơn vị phối hợp"), required=False
    )
    informed = forms.ModelMultipleChoiceField(
        queryset=OrgUnit.objects.none(), label=_("Đơn vị để biết"), required=False
    )
    deadline = forms.DateField(
        label=_("Hạn xử lý"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    instruction = forms.CharField(
        label=_("Ý kiến chỉ đạo"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, document: IncomingDocument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.within(document.agency).active().exclude(pk=document.agency_id)
        for name in ("lead_unit", "cooperating", "informed"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = units


class TextForm(StyledForm):
    """One text: an opinion, a result, a reason, a reminder."""

    text = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 2}))


class RegisterFilterForm(StyledForm):
    """Filters of the incoming register page."""

    agency = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(), required=False, label=_("Cơ quan")
    )
    year = forms.IntegerField(label=_("Năm"), required=False, min_value=1990, max_value=9999)
    date_from = forms.DateField(
        label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    type = forms.ModelChoiceField(
        queryset=DocumentType.objects.filter(is_active=True),
        required=False,
        label=_("Loại văn bản"),
        to_field_name="code",
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả")), *IncomingDocument.Status.choices],
    )
    overdue = forms.BooleanField(label=_("Quá hạn"), required=False)

    def __init__(self, *args: Any, agencies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies if agencies is not None else OrgUnit.objects.none()

    def clean_year(self) -> int:
        return self.cleaned_data.get("year") or timezone.localdate().year


class SearchForm(StyledForm):
    """The documents search: words and filters."""

    q = forms.CharField(label=_("Từ khóa"), required=False, max_length=500)
    direction = forms.ChoiceField(
        label=_("Sổ"), required=False, choices=[("", _("Đến và đi")), *Direction.choices]
    )
    year = forms.IntegerField(label=_("Năm"), required=False, min_value=1990, max_value=9999)
    type = forms.ModelChoiceField(
        queryset=DocumentType.objects.filter(is_active=True),
        required=False,
        label=_("Loại văn bản"),
        to_field_name="code",
    )
    issuer = forms.CharField(label=_("Cơ quan ban hành"), required=False, max_length=255)
    urgency = forms.TypedChoiceField(
        label=_("Độ khẩn"),
        required=False,
        choices=[("", _("Tất cả")), *Urgency.choices],
        coerce=int,
        empty_value=None,
    )
    date_from = forms.DateField(
        label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
