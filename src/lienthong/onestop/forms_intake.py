"""Forms of the intake pages: counter intake, online submission, refusal, lookup.

The forms only parse what was typed; the rules (required components, identifiers, who may
receive what) are checked by the services in `onestop.intake`, whose field errors are put
back on the form by `add_service_errors`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lienthong.accounts.models import User
from lienthong.core.models import OrgUnit
from lienthong.core.uploads import allowed_types, max_upload_bytes
from lienthong.onestop import intake
from lienthong.onestop.models import CitizenDocument, Dossier, Procedure, ProcedureComponent
from lienthong.privacy import services as privacy


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


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names, else on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, messages in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)


class ApplicantFieldsMixin(forms.Form):
    """The applicant's fields (người nộp hồ sơ), named as on the Dossier model."""

    applicant_kind = forms.ChoiceField(
        label=_("Người nộp là"),
        choices=Dossier.ApplicantKind.choices,
        initial=Dossier.ApplicantKind.PERSON,
    )
    applicant_name = forms.CharField(label=_("Họ và tên / tên tổ chức"), max_length=255)
    applicant_personal_id = forms.CharField(
        label=_("Số định danh cá nhân"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    applicant_tax_code = forms.CharField(
        label=_("Mã số thuế (tổ chức)"), max_length=14, required=False
    )
    applicant_address = forms.CharField(label=_("Địa chỉ"), max_length=500, required=False)
    applicant_phone = forms.CharField(
        label=_("Điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    applicant_email = forms.CharField(
        label=_("Thư điện tử"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def applicant(self) -> intake.Applicant:
        """The applicant as typed (validated by the service)."""
        data = self.cleaned_data
        return intake.Applicant(
            name=data.get("applicant_name", ""),
            kind=data.get("applicant_kind") or Dossier.ApplicantKind.PERSON,
            personal_id=data.get("applicant_personal_id", ""),
            tax_code=data.get("applicant_tax_code", ""),
            address=data.get("applicant_address", ""),
            phone=data.get("applicant_phone", ""),
            email=data.get("applicant_email", ""),
        )


@dataclass
class CounterRow:
    """One component line of the counter form."""

    component: ProcedureComponent
    received: forms.BoundField
    originals: forms.BoundField
    copies: forms.BoundField


class CounterIntakeForm(ApplicantFieldsMixin):
    """Counter intake: the agency, the applicant and the components ticked with counts."""

    agency = forms.ModelChoiceField(
        label=_("Cơ quan tiếp nhận"), queryset=OrgUnit.objects.none(), empty_label=None
    )
    # The data-access log rows of registry look-ups made for this intake (pre-fill), so the
    # dossier's code can be added to them once it is received.
    registry_access = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200)
    note = forms.CharField(
        label=_("Nội dung yêu cầu (nếu có)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, procedure: Procedure, agencies: QuerySet[OrgUnit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        self.components = list(procedure.components.order_by("order"))
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = agencies
        for component in self.components:
            prefix = f"c{component.pk}"
            self.fields[f"{prefix}_received"] = forms.BooleanField(
                label=component.name, required=False, initial=False
            )
            self.fields[f"{prefix}_originals"] = forms.IntegerField(
                label=_("Số bản chính"),
                min_value=0,
                max_value=99,
                initial=component.originals,
                required=False,
            )
            self.fields[f"{prefix}_copies"] = forms.IntegerField(
                label=_("Số bản sao"),
                min_value=0,
                max_value=99,
                initial=component.copies,
                required=False,
            )
        style_fields(self)

    def registry_access_ids(self) -> list[int]:
        """The ids of the pre-fill reads carried by the form."""
        text = self.cleaned_data.get("registry_access") or ""
        return [int(part) for part in text.split(",") if part.strip().isdigit()]

    def rows(self) -> Iterator[CounterRow]:
        """The component lines, in the procedure's order."""
        for component in self.components:
            prefix = f"c{component.pk}"
            yield CounterRow(
                component,
                self[f"{prefix}_received"],
                self[f"{prefix}_originals"],
                self[f"{prefix}_copies"],
            )

    def received(self) -> list[intake.ReceivedComponent]:
        """The components ticked as received."""
        items = []
        for component in self.components:
            prefix = f"c{component.pk}"
            if self.cleaned_data.get(f"{prefix}_received"):
                items.append(
                    intake.ReceivedComponent(
                        component,
                        originals=self.cleaned_data.get(f"{prefix}_originals") or 0,
                        copies=self.cleaned_data.get(f"{prefix}_copies") or 0,
                    )
                )
        return items


@dataclass
class OnlineRow:
    """One component line of the online form: a file, or a document to reuse."""

    component: ProcedureComponent
    file: forms.BoundField
    reuse: forms.BoundField | None


class OnlineSubmitForm(forms.Form):
    """Online submission: the citizen's contact details and each component's file."""

    agency = forms.ModelChoiceField(
        label=_("Nộp tại cơ quan"), queryset=OrgUnit.objects.none(), empty_label=None
    )
    applicant_name = forms.CharField(label=_("Họ và tên"), max_length=255, required=False)
    applicant_personal_id = forms.CharField(
        label=_("Số định danh cá nhân"), max_length=12, required=False
    )
    applicant_address = forms.CharField(label=_("Địa chỉ"), max_length=500, required=False)
    applicant_phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)
    applicant_email = forms.CharField(
        label=_("Thư điện tử"), max_length=254, required=False, widget=forms.EmailInput()
    )
    content = forms.CharField(
        label=_("Nội dung đề nghị"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Decree 13/2023/NĐ-CP, Art. 11: consent is an explicit act, so no box is ticked in advance.
    consent = forms.BooleanField(
        label=_(
            "Tôi đồng ý để cơ quan nhà nước xử lý dữ liệu cá nhân trong hồ sơ này (kể cả ảnh "
            "giấy tờ tùy thân) để giải quyết thủ tục hành chính."
        ),
        required=True,
        error_messages={
            "required": _(
                "Bạn cần đồng ý cho xử lý dữ liệu cá nhân thì mới nộp được hồ sơ trực tuyến."
            )
        },
    )
    consent_notify = forms.BooleanField(
        label=_("Tôi đồng ý nhận thông báo về hồ sơ qua thư điện tử và tin nhắn."),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        procedure: Procedure,
        agencies: QuerySet[OrgUnit],
        user: User,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        self.user = user
        self.profile = intake.applicant_from_profile(user)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = agencies
        for name in ("name", "personal_id", "address", "phone", "email"):
            self.fields[f"applicant_{name}"].initial = getattr(self.profile, name)
        # What the account already proves cannot be changed on the form.
        if self.profile.personal_id:
            self.fields["applicant_personal_id"].disabled = True
        if user.full_name:
            self.fields["applicant_name"].disabled = True
        self.components = list(procedure.components.order_by("order"))
        self.documents: list[CitizenDocument] = list(intake.citizen_documents(user))
        accept = ",".join(t.extension for t in allowed_types())
        for component in self.components:
            prefix = f"c{component.pk}"
            self.fields[f"{prefix}_file"] = forms.FileField(
                # The component's name is the legend of its fieldset.
                label=_("Tải tệp lên"),
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": accept}),
            )
            if self.documents:
                self.fields[f"{prefix}_reuse"] = forms.TypedChoiceField(
                    label=_("hoặc dùng lại giấy tờ đã có"),
                    required=False,
                    coerce=int,
                    empty_value=None,
                    choices=[("", _("— Không dùng lại —"))]
                    + [(d.pk, f"{d.title} {d.number}".strip()) for d in self.documents],
                )
        style_fields(self)

    @property
    def max_mb(self) -> int:
        """The upload limit in MB, for the help text."""
        return max_upload_bytes() // (1024 * 1024)

    @property
    def type_labels(self) -> str:
        """The accepted kinds of file, for the help text."""
        return ", ".join(t.label for t in allowed_types())

    def rows(self) -> Iterator[OnlineRow]:
        """The component lines, in the procedure's order."""
        for component in self.components:
            prefix = f"c{component.pk}"
            reuse = self[f"{prefix}_reuse"] if f"{prefix}_reuse" in self.fields else None
            yield OnlineRow(component, self[f"{prefix}_file"], reuse)

    def uploads(self) -> list[intake.ComponentUpload]:
        """What was given per component (both a file and a reuse is passed on as given)."""
        by_pk = {d.pk: d for d in self.documents}
        items = []
        for component in self.components:
            prefix = f"c{component.pk}"
            upload = self.cleaned_data.get(f"{prefix}_file") or None
            reuse_pk = self.cleaned_data.get(f"{prefix}_reuse")
            reuse = by_pk.get(reuse_pk) if reuse_pk is not None else None
            if upload is not None or reuse is not None:
                items.append(intake.ComponentUpload(component, file=upload, reuse=reuse))
        return items

    def consents(self) -> list[str]:
        """The privacy purposes the citizen consented to on the form."""
        given = [privacy.DOSSIER_HANDLING] if self.cleaned_data.get("consent") else []
        if self.cleaned_data.get("consent_notify"):
            given += [privacy.NOTIFY_EMAIL, privacy.NOTIFY_SMS]
        return given

    def contact(self) -> dict[str, str]:
        """Contact details (and a name or ID the account lacks) for the service."""
        data = self.cleaned_data
        return {
            "name": data.get("applicant_name") or "",
            "personal_id": data.get("applicant_personal_id") or "",
            "address": data.get("applicant_address") or "",
            "phone": data.get("applicant_phone") or "",
            "email": data.get("applicant_email") or "",
        }


class RefuseForm(forms.Form):
    """Why an online dossier is not accepted (one reason a line)."""

    reasons = forms.CharField(
        label=_("Lý do không tiếp nhận"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        help_text=_("Mỗi lý do một dòng; người nộp nhận được nguyên văn."),
    )


class LookupForm(forms.Form):
    """The public lookup box."""

    ma = forms.CharField(
        label=_("Mã hồ sơ"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "placeholder": "000.00.06.H56-231027-0361",
                "autocomplete": "off",
                "class": "form-control",
            }
        ),
    )
