"""Forms of the legal registry: the search (page, API and command read it the same way),
a document, and a relation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import OrgUnit
from lienthong.registries.legal.models import (
    DocumentStatus,
    DocumentType,
    LegalDocument,
    RelationKind,
)
from lienthong.registries.legal.selectors import MAX_LIMIT, Filters
from lienthong.search.query import MAX_QUERY_LENGTH
from lienthong.search.services import check_query

DEFAULT_LIMIT = 20
MAX_OFFSET = 10_000
MIN_YEAR, MAX_YEAR = 1945, 2100


class SearchForm(forms.Form):
    """A query and filters (type, issuer, year, status), and the page wanted."""

    q = forms.CharField(
        label=_("Từ khóa hoặc số hiệu"),
        required=False,
        strip=True,
        help_text=_('Không cần gõ dấu. Ví dụ: khieu nai, "giải quyết khiếu nại", 02/2011/QH13.'),
        widget=forms.TextInput(attrs={"type": "search", "maxlength": MAX_QUERY_LENGTH}),
    )
    type = forms.ChoiceField(
        label=_("Loại văn bản"),
        required=False,
        choices=[("", _("Tất cả")), *DocumentType.choices],
        error_messages={"invalid_choice": _("Loại văn bản “%(value)s” không có trong danh mục.")},
    )
    issuer = forms.CharField(label=_("Cơ quan ban hành"), required=False, max_length=255)
    year = forms.IntegerField(
        label=_("Năm ban hành"),
        required=False,
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        error_messages={
            "invalid": _("Năm ban hành phải là số, ví dụ 2015."),
            "min_value": _("Năm ban hành từ %(limit_value)s trở đi."),
            "max_value": _("Năm ban hành đến %(limit_value)s."),
        },
    )
    status = forms.ChoiceField(
        label=_("Tình trạng hiệu lực"),
        required=False,
        choices=[("", _("Tất cả")), *DocumentStatus.choices],
        error_messages={"invalid_choice": _("Tình trạng “%(value)s” không hợp lệ.")},
    )
    limit = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_LIMIT,
        error_messages={
            "invalid": _("Số kết quả phải là số nguyên."),
            "min_value": _("Số kết quả ít nhất là %(limit_value)s."),
            "max_value": _("Số kết quả nhiều nhất là %(limit_value)s."),
        },
    )
    offset = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_OFFSET,
        error_messages={
            "invalid": _("Vị trí bắt đầu phải là số nguyên."),
            "min_value": _("Vị trí bắt đầu không được âm."),
            "max_value": _("Vị trí bắt đầu tối đa là %(limit_value)s."),
        },
    )

    def __init__(self, *args: Any, require_query: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.require_query = require_query

    def clean_q(self) -> Any:
        raw = self.cleaned_data.get("q") or ""
        if not raw and not self.require_query:
            return None  # browsing: newest first
        # An empty query (or one without letters or digits) and an over-long one get the
        # search kernel's Vietnamese messages.
        return check_query(raw)

    def clean_issuer(self) -> str:
        return " ".join((self.cleaned_data.get("issuer") or "").split())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if data.get("limit") is None:
            data["limit"] = DEFAULT_LIMIT
        if data.get("offset") is None:
            data["offset"] = 0
        return data

    def filters(self) -> Filters:
        """The filters chosen (call after `is_valid()`)."""
        data = self.cleaned_data
        return Filters(
            doc_type=data.get("type") or "",
            issuer=data.get("issuer") or "",
            year=data.get("year"),
            status=data.get("status") or "",
        )


class DocumentForm(forms.ModelForm):
    """Create or edit a document (the services check it again and write it)."""

    status = forms.ChoiceField(
        label=_("Tình trạng hiệu lực"),
        required=False,
        choices=[("", _("Tự tính theo ngày và quan hệ văn bản")), *DocumentStatus.choices],
        help_text=_("Chọn một tình trạng để giữ cố định; để trống để hệ thống tự tính."),
    )

    source_url = forms.URLField(
        label=_("địa chỉ nguồn"), required=False, max_length=500, assume_scheme="https"
    )
    text = forms.CharField(
        label=_("toàn văn"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Mỗi điều bắt đầu một dòng “Điều N.” để có mục lục."),
    )

    class Meta:
        model = LegalDocument
        fields = [
            "number",
            "doc_type",
            "issuer",
            "issued_date",
            "effective_date",
            "expiry_date",
            "effective_note",
            "title",
            "owner",
            "source",
            "source_url",
        ]
        widgets = {
            "issued_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "effective_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "expiry_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "title": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(
        self, *args: Any, owners: Any = None, owner_required: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        owner_field = self.fields["owner"]
        assert isinstance(owner_field, forms.ModelChoiceField)
        # Only the units where the author holds the registry-owner role (every unit for a
        # superuser, who may also leave a document without owner).
        owner_field.queryset = owners if owners is not None else OrgUnit.objects.none()
        owner_field.required = owner_required
        if self.instance.pk:
            self.initial["status"] = self.instance.status if self.instance.status_locked else ""
            self.initial.setdefault("text", self.instance.text)

    def _post_clean(self) -> None:
        # The model's own checks run in the service, with its Vietnamese messages.
        pass

    def values(self) -> dict[str, Any]:
        """The cleaned values as service keywords (status: set and lock, or compute)."""
        data = {name: self.cleaned_data[name] for name in [*self.Meta.fields, "text"]}
        for name in ("number", "issuer", "title", "effective_note", "source"):
            data[name] = " ".join((data[name] or "").split())
        data["source_url"] = (data["source_url"] or "").strip()
        data["text"] = (data["text"] or "").replace("\r\n", "\n")
        status = self.cleaned_data.get("status") or ""
        if status:
            data["status"] = status
            data["status_locked"] = True
        else:
            data["status_locked"] = False
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's ValidationError on the fields it names."""
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


class RelationForm(forms.Form):
    """A relation entered by hand: kind, the related document's number, a note."""

    kind = forms.ChoiceField(label=_("Quan hệ"), choices=RelationKind.choices)
    target_number = forms.CharField(
        label=_("Số, ký hiệu văn bản liên quan"),
        max_length=100,
        help_text=_("Ví dụ 02/2011/QH13; văn bản chưa có trong cơ sở dữ liệu vẫn ghi được."),
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=1000)
