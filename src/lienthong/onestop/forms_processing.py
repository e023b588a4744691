"""Forms of the processing pages: one per action on a dossier.

They only parse what was typed; the rules (who may act, in which state, what the law allows)
are the services' (`onestop.processing`, `onestop.results`), whose field errors go back on the
form with `add_service_errors`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import OrgUnit
from lienthong.core.uploads import allowed_types, max_upload_bytes
from lienthong.onestop.forms_intake import add_service_errors, style_fields
from lienthong.onestop.models import Channel
from lienthong.workflow.models import ProcessStep

__all__ = [
    "ApologyForm",
    "ApplicantSupplementForm",
    "ForwardForm",
    "HandOverForm",
    "NoteForm",
    "ObligationForm",
    "ObligationPaidForm",
    "ReasonForm",
    "ResultForm",
    "ReturnResultForm",
    "ReturnStepForm",
    "SupplementRequestForm",
    "add_service_errors",
]


class StyledForm(forms.Form):
    """A form whose widgets carry Bootstrap classes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


def _upload_help() -> str:
    types = ", ".join(t.label for t in allowed_types())
    return str(_("Nhận tệp %(types)s, tối đa %(size)d MB.")) % {
        "types": types,
        "size": max_upload_bytes() // (1024 * 1024),
    }


class SeenTaskMixin(forms.Form):
    """The open task the page showed, so that a stale page cannot act on the next step."""

    task = forms.IntegerField(required=False, widget=forms.HiddenInput)


class NoteForm(StyledForm):
    """Confirming something, with an optional note."""

    note = forms.CharField(
        label=_("Ý kiến xử lý"), required=False, max_length=2000, widget=forms.Textarea({"rows": 2})
    )


class ForwardForm(SeenTaskMixin, NoteForm):
    """Forwarding (chuyển bước, trình, phê duyệt), with an optional note."""


class ReasonForm(StyledForm):
    """Stopping or withdrawing: the reason is required."""

    reason = forms.CharField(label=_("Lý do"), max_length=2000, widget=forms.Textarea({"rows": 2}))


class ReturnStepForm(SeenTaskMixin, StyledForm):
    """Sending the dossier back to an earlier step."""

    step = forms.ModelChoiceField(label=_("Trả về bước"), queryset=ProcessStep.objects.none())
    note = forms.CharField(
        label=_("Lý do trả lại"), max_length=2000, widget=forms.Textarea({"rows": 2})
    )

    def __init__(self, *args: Any, steps: Sequence[ProcessStep] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["step"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = ProcessStep.objects.filter(pk__in=[s.pk for s in steps]).order_by("order")


class SupplementRequestForm(StyledForm):
    """What is missing and why (phiếu yêu cầu bổ sung, hoàn thiện hồ sơ)."""

    items = forms.CharField(
        label=_("Giấy tờ, nội dung cần bổ sung (mỗi dòng một mục)"),
        max_length=5000,
        widget=forms.Textarea({"rows": 3}),
    )
    reason = forms.CharField(label=_("Lý do"), max_length=2000, widget=forms.Textarea({"rows": 2}))

    def item_list(self) -> list[str]:
        """The items, one per line."""
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class ObligationForm(StyledForm):
    """A fee or tax the applicant must pay."""

    amount = forms.IntegerField(label=_("Số tiền (đồng)"), min_value=1, max_value=10**15)
    description = forms.CharField(label=_("Nội dung"), max_length=1000)


class ObligationPaidForm(StyledForm):
    """The payment of the obligation, with its receipt number."""

    reference = forms.CharField(label=_("Số biên lai, chứng từ"), required=False, max_length=100)


class HandOverForm(SeenTaskMixin, StyledForm):
    """Handing the dossier to another agency (một cửa liên thông)."""

    agency = forms.ModelChoiceField(label=_("Chuyển đến cơ quan"), queryset=OrgUnit.objects.none())
    note = forms.CharField(
        label=_("Nội dung đề nghị phối hợp giải quyết"),
        max_length=2000,
        widget=forms.Textarea({"rows": 2}),
    )

    def __init__(self, *args: Any, exclude: OrgUnit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = OrgUnit.objects.agencies().active().order_by("path")
        if exclude is not None:
            agencies = agencies.exclude(pk=exclude.pk)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies


class ApologyForm(StyledForm):
    """The apology letter: the reason and the new return date (in working days, or a date)."""

    reason = forms.CharField(
        label=_("Lý do chậm giải quyết"), max_length=2000, widget=forms.Textarea({"rows": 2})
    )
    days = forms.IntegerField(
        label=_("Gia hạn thêm (ngày làm việc)"), required=False, min_value=1, max_value=365
    )
    new_due_date = forms.DateField(
        label=_("hoặc ngày hẹn trả mới"),
        required=False,
        widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (cleaned.get("days") is None) == (cleaned.get("new_due_date") is None):
            raise forms.ValidationError(
                _("Hãy cho số ngày làm việc gia hạn, hoặc ngày hẹn trả mới (một trong hai).")
            )
        return cleaned


class ResultForm(StyledForm):
    """The result document (kết quả giải quyết)."""

    title = forms.CharField(label=_("Tên kết quả"), max_length=500)
    number = forms.CharField(label=_("Số, ký hiệu"), required=False, max_length=100)
    file = forms.FileField(label=_("Tệp kết quả"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _upload_help()


class ReturnResultForm(StyledForm):
    """Returning the result: at the counter, or sent online to the applicant's account."""

    channel = forms.ChoiceField(
        label=_("Hình thức trả"),
        choices=[
            (Channel.COUNTER, _("Trả trực tiếp tại quầy")),
            (Channel.ONLINE, _("Gửi trực tuyến")),
        ],
        initial=Channel.COUNTER,
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=1000)


class ApplicantSupplementForm(StyledForm):
    """The applicant's supplement: one file per requested item, and a note."""

    note = forms.CharField(
        label=_("Ghi chú gửi cán bộ"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 2}),
    )

    def __init__(self, *args: Any, items: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for index, item in enumerate(self.items):
            self.fields[f"file_{index}"] = forms.FileField(
                label=item, required=False, help_text=_upload_help()
            )
        # The files first, the note after them.
        self.fields["note"] = self.fields.pop("note")
        style_fields(self)

    def files_given(self) -> list[tuple[str, Any]]:
        """(item, file) pairs of the files chosen."""
        return [
            (item, self.cleaned_data[f"file_{index}"])
            for index, item in enumerate(self.items)
            if self.cleaned_data.get(f"file_{index}")
        ]
