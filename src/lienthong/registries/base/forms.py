"""Forms shared by the registry pages: the base of every edit form, import and purpose forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lienthong.registries.base.services import owner_agencies


def style_fields(form: forms.BaseForm) -> None:
    """Give every widget its Bootstrap class."""
    for bound in form.visible_fields():
        widget = bound.field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)


class RegistryForm(forms.ModelForm):
    """Base of a registry's edit form: the owner agency is one the user edits for.

    The form validates the model (its `clean`, e.g. ID against birth date); the service
    (`services.create_record` / `update_record`) checks permission and writes.
    """

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        owner = self.fields.get("owner")
        if isinstance(owner, forms.ModelChoiceField):
            owner.queryset = owner_agencies(user)
            owner.empty_label = None
        style_fields(self)


class ImportForm(forms.Form):
    """Upload of a CSV or XLSX file, for the agency the records will belong to."""

    file = forms.FileField(label=_("Tệp CSV hoặc XLSX"))
    owner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Cơ quan quản lý các bản ghi"), queryset=None, empty_label=None
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = owner_agencies(user)
        style_fields(self)


class ConfirmImportForm(forms.Form):
    """After the check: import (all rows, or only the valid ones when the file has errors)."""

    valid_only = forms.BooleanField(label=_("Chỉ nhập các dòng hợp lệ"), required=False)


class PurposeForm(forms.Form):
    """Why an official opens a person's record: logged with the read."""

    PRESETS = (
        ("", _("— chọn —")),
        (_("Tiếp nhận, giải quyết hồ sơ thủ tục hành chính"), _("Tiếp nhận, giải quyết hồ sơ")),
        (_("Xác minh thông tin công dân"), _("Xác minh thông tin")),
        (_("Cập nhật, chỉnh sửa dữ liệu"), _("Cập nhật dữ liệu")),
        (_("Thống kê, báo cáo"), _("Thống kê, báo cáo")),
    )

    preset = forms.ChoiceField(label=_("Mục đích"), choices=PRESETS, required=False)
    purpose = forms.CharField(label=_("Hoặc ghi rõ mục đích"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = " ".join((data.get("purpose") or data.get("preset") or "").split())
        if len(text) < 5:
            raise forms.ValidationError(_("Hãy cho biết mục đích xem dữ liệu (ít nhất 5 ký tự)."))
        data["text"] = text
        return data
