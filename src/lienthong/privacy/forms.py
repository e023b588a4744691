"""Forms of the privacy pages (they only parse input; the services decide)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lienthong.privacy.models import RequestKind


class RequestForm(forms.Form):
    """A data subject's request."""

    kind = forms.ChoiceField(label=_("Loại yêu cầu"), choices=RequestKind.choices)
    details = forms.CharField(
        label=_("Nội dung yêu cầu"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy nêu nội dung yêu cầu.")},
    )


class AnswerForm(forms.Form):
    """The answer to a request, or the reason for refusing it."""

    text = forms.CharField(
        label=_("Nội dung trả lời hoặc lý do"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy ghi nội dung trả lời hoặc lý do.")},
    )


class AccessFilterForm(forms.Form):
    """Filters of the access log."""

    actor = forms.CharField(label=_("Người truy cập (tên đăng nhập)"), required=False)
    record = forms.CharField(label=_("Mã hồ sơ"), required=False)
    personal_id = forms.CharField(label=_("Số định danh"), required=False, max_length=12)
    since = forms.DateField(
        label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def style(form: forms.BaseForm) -> forms.BaseForm:
    """Bootstrap classes on every widget."""
    for bound in form.visible_fields():
        widget = bound.field.widget
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)
    return form
