"""Forms of the procedure catalogue: the public filters and the import upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import OrgUnit
from lienthong.onestop.catalogue import MAX_IMPORT_BYTES
from lienthong.onestop.models import Field, Level, OnlineLevel, Procedure

#: The online-level filter's value for procedures whose source did not say.
ONLINE_UNKNOWN = "unknown"


def receiving_agencies() -> QuerySet[OrgUnit]:
    """Agencies that receive at least one active procedure, by name."""
    ids = Procedure.objects.active().values("agencies")
    return OrgUnit.objects.filter(pk__in=ids, is_agency=True).order_by("name")


class CatalogueFilterForm(forms.Form):
    """Search words and filters of the public catalogue (all optional)."""

    q = forms.CharField(
        label=_("Từ khóa"),
        required=False,
        max_length=500,
        help_text=_("Tên hoặc mã thủ tục, có dấu hoặc không dấu, ví dụ: dang ky khai sinh."),
    )
    field = forms.ModelChoiceField(
        label=_("Lĩnh vực"),
        queryset=Field.objects.order_by("name"),
        to_field_name="code",
        required=False,
        empty_label=_("Tất cả lĩnh vực"),
    )
    level = forms.ChoiceField(
        label=_("Cấp thực hiện"),
        choices=[("", _("Tất cả các cấp")), *Level.choices],
        required=False,
    )
    agency = forms.ModelChoiceField(
        label=_("Cơ quan tiếp nhận"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("Tất cả cơ quan"),
    )
    online = forms.ChoiceField(
        label=_("Mức độ trực tuyến"),
        choices=[
            ("", _("Tất cả")),
            *OnlineLevel.choices,
            (ONLINE_UNKNOWN, _("Nguồn không có thông tin")),
        ],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = receiving_agencies()  # type: ignore[attr-defined]

    def filter(self, queryset: QuerySet[Procedure]) -> QuerySet[Procedure]:
        """Apply the valid filters (not the words: the search kernel ranks those)."""
        data = self.cleaned_data
        if data.get("field"):
            queryset = queryset.filter(field=data["field"])
        if data.get("level"):
            queryset = queryset.at_level(data["level"])  # type: ignore[attr-defined]
        if data.get("agency"):
            queryset = queryset.filter(agencies=data["agency"])
        if data.get("online") == ONLINE_UNKNOWN:
            queryset = queryset.filter(online_level="")
        elif data.get("online"):
            queryset = queryset.filter(online_level=data["online"])
        return queryset


class ImportForm(forms.Form):
    """One JSON or XLSX file to import into the catalogue."""

    file = forms.FileField(
        label=_("Tệp danh mục (.json hoặc .xlsx)"),
        help_text=_(
            "procedures.json (dữ liệu Cổng Dịch vụ công), hoặc tệp JSON/XLSX xuất từ trang này."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".json", ".xlsx")):
            raise ValidationError(_("Chỉ nhận tệp .json hoặc .xlsx."))
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(
                _("Tệp lớn hơn %(mb)d MB.") % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        return upload
