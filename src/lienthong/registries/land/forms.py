"""Forms of the land registry: the parcel edit form and the base-layer upload form."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import OrgUnit
from lienthong.registries.base.forms import RegistryForm, style_fields
from lienthong.registries.land import landuse, owners
from lienthong.registries.land.geometry import GeometryError, parse_geometry
from lienthong.registries.land.layers import MAX_LAYER_BYTES
from lienthong.registries.land.models import BaseLayer, BaseLayerKind, Parcel

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


class ParcelForm(RegistryForm):
    """A parcel's data: numbers, area, uses, owners (one line), certificate, shape.

    Owners are typed as "079185000123 Nguyễn Văn An; 0301234567 Công ty …"; the shape is
    GeoJSON or WKT (a GIS program's "copy as WKT"). The model's `clean` does the checking,
    so the form, the API and the import give the same messages.
    """

    owners_text = forms.CharField(
        label=_("Người sử dụng đất"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Mỗi người một đoạn, ngăn cách bằng dấu chấm phẩy: số định danh cá nhân (12 số) "
            "hoặc mã số thuế, rồi đến tên. Ví dụ: 079185000123 Nguyễn Văn An; 0301234567 "
            "Công ty TNHH An Phú."
        ),
    )
    geometry = forms.CharField(
        label=_("Hình thửa (GeoJSON hoặc WKT)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=_(
            "Polygon hoặc MultiPolygon, tọa độ kinh độ, vĩ độ WGS 84. Ví dụ WKT: "
            "POLYGON ((106.65 10.97, 106.651 10.97, 106.651 10.971, 106.65 10.97))."
        ),
    )

    class Meta:
        model = Parcel
        fields = [
            "owner",
            "commune",
            "commune_legacy",
            "map_sheet",
            "parcel_number",
            "area",
            "land_use",
            "address",
            "certificate_number",
            "geometry",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["owners_text"].initial = owners.format_owners(self.instance.owners)
        self.fields["land_use"].help_text = _(
            "Một hoặc nhiều mã, mã chính trước, ví dụ ONT hoặc ONT+CLN. Danh mục: %(codes)s."
        ) % {"codes": ", ".join(t.code for t in landuse.all_types())}

    def clean_geometry(self) -> str:
        text = (self.cleaned_data.get("geometry") or "").strip()
        if not text:
            return ""
        try:
            return parse_geometry(text).to_json()
        except GeometryError as exc:
            raise ValidationError(exc.message) from exc

    def clean_owners_text(self) -> list[dict[str, str]]:
        return owners.parse_owners(self.cleaned_data.get("owners_text") or "")

    def _post_clean(self) -> None:
        # The owners line becomes the JSON list before the model checks the row.
        if "owners_text" in self.cleaned_data:
            self.instance.owners = self.cleaned_data["owners_text"]
        super()._post_clean()  # type: ignore[misc]


class LayerForm(forms.ModelForm):
    """A base layer's name, look and GeoJSON file (required when creating)."""

    file = forms.FileField(
        label=_("Tệp GeoJSON"),
        required=False,
        help_text=_("FeatureCollection theo kinh độ, vĩ độ WGS 84; tối đa 20 MB."),
    )
    owner = forms.ModelChoiceField(
        label=_("Cơ quan quản lý"), queryset=OrgUnit.objects.none(), required=False
    )

    class Meta:
        model = BaseLayer
        fields = ["name", "slug", "kind", "description", "color", "shown_by_default", "position"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "color": forms.TextInput(attrs={"type": "color"}),
        }

    def __init__(self, *args: Any, owners: QuerySet[OrgUnit] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.creating = self.instance.pk is None
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = BaseLayerKind.choices
        if self.creating:
            owner = self.fields["owner"]
            assert isinstance(owner, forms.ModelChoiceField)
            owner.queryset = owners if owners is not None else OrgUnit.objects.none()
            self.fields["owner"].required = True
            self.fields["file"].required = True
            self.fields["slug"].required = False
            if owners is not None and owners.count() == 1:
                self.fields["owner"].initial = owners.first()
        else:
            del self.fields["owner"]
            del self.fields["slug"]
        style_fields(self)

    def clean_color(self) -> str:
        color = self.cleaned_data.get("color") or ""
        if not _COLOR.match(color):
            raise ValidationError(_("Màu phải ghi dạng #rrggbb."))
        return color.lower()

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > MAX_LAYER_BYTES:
            raise ValidationError(_("Tệp lớn quá 20 MB."))
        return upload

    def _post_clean(self) -> None:
        # The service validates and saves; the form only checks its own fields.
        pass
