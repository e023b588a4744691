"""Forms of the outgoing documents pages: a draft, the step actions, the register filter."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.accounts.models import Role, User
from lienthong.core.models import OrgUnit
from lienthong.core.permissions import grants_of
from lienthong.documents.models import DocumentType, Secrecy, Urgency
from lienthong.documents.outgoing.services import RecipientSpec
from lienthong.documents.visibility import agencies_of


def parse_external(text: str) -> list[RecipientSpec]:
    """Outside organs, one a line: `mã định danh | tên` (or `| tên` alone for paper)."""
    specs: list[RecipientSpec] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        code, sep, name = line.partition("|")
        if not sep:
            raise ValidationError(
                _("Dòng %(n)d: viết “mã định danh | tên cơ quan”.") % {"n": number}
            )
        code, name = code.strip(), name.strip()
        specs.append(RecipientSpec(organ_id=code, name=name, electronic=bool(code)))
    return specs


class DraftForm(forms.Form):
    """A new draft (or its edit)."""

    drafting_unit = forms.ModelChoiceField(
        label=_("Đơn vị soạn thảo"), queryset=OrgUnit.objects.none()
    )
    document_type = forms.ModelChoiceField(
        label=_("Loại văn bản"), queryset=DocumentType.objects.filter(is_active=True)
    )
    is_legal = forms.BooleanField(label=_("Văn bản quy phạm pháp luật"), required=False)
    subject = forms.CharField(label=_("Trích yếu nội dung"), max_length=500)
    content = forms.CharField(label=_("Nội dung tóm tắt"), widget=forms.Textarea, required=False)
    urgency = forms.TypedChoiceField(
        label=_("Độ khẩn"), choices=Urgency.choices, coerce=int, initial=Urgency.NORMAL
    )
    secrecy = forms.TypedChoiceField(
        label=_("Độ mật"), choices=Secrecy.choices, coerce=int, initial=Secrecy.NORMAL
    )
    internal = forms.ModelMultipleChoiceField(
        label=_("Nơi nhận trong tỉnh (gửi điện tử)"),
        queryset=OrgUnit.objects.agencies().active().exclude(code=None),
        required=False,
    )
    external = forms.CharField(
        label=_("Nơi nhận khác"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Mỗi dòng: mã định danh | tên cơ quan. Để trống mã khi gửi bản giấy."),
    )
    recipients_text = forms.CharField(
        label=_("Nơi nhận (ghi trên văn bản)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    due_date = forms.DateField(label=_("Hạn trả lời"), required=False)
    place = forms.CharField(label=_("Địa danh"), max_length=100, required=False)
    main_file = forms.FileField(label=_("Bản chính (PDF)"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["drafting_unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = drafting_units(user)

    def clean_external(self) -> list[RecipientSpec]:
        return parse_external(self.cleaned_data.get("external") or "")

    def recipients(self) -> list[RecipientSpec]:
        internal = [RecipientSpec(agency=unit) for unit in self.cleaned_data["internal"]]
        return internal + list(self.cleaned_data["external"])


def drafting_units(user: Any) -> Any:
    """Units `user` may draft for: those where they hold a role, and the units below them."""
    units = OrgUnit.objects.active().order_by("path")
    if getattr(user, "is_superuser", False):
        return units
    paths = list(grants_of(user).values_list("org_unit__path", flat=True))
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return units.filter(condition)


def _officials(agency: OrgUnit, roles: frozenset[str] | None = None) -> Any:
    users = User.objects.filter(
        is_active=True,
        kind=User.Kind.OFFICIAL,
        role_assignments__org_unit__path__startswith=agency.path,
    )
    if roles is not None:
        users = users.filter(role_assignments__role__in=list(roles))
    return users.distinct().order_by("full_name", "username")


class SubmitForm(forms.Form):
    """Trình duyệt: the reviewer, and optionally the signer."""

    reviewer = forms.ModelChoiceField(label=_("Người duyệt"), queryset=User.objects.none())
    signer = forms.ModelChoiceField(
        label=_("Người ký"), queryset=User.objects.none(), required=False
    )
    comment = forms.CharField(label=_("Ý kiến"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, agency: OrgUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = _officials(agency)  # type: ignore[attr-defined]
        self.fields["signer"].queryset = _officials(  # type: ignore[attr-defined]
            agency, frozenset({Role.LEADER})
        )


class ApproveForm(forms.Form):
    """Duyệt: the signer (kept if already named) and a comment."""

    signer = forms.ModelChoiceField(
        label=_("Người ký"), queryset=User.objects.none(), required=False
    )
    comment = forms.CharField(label=_("Ý kiến"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, agency: OrgUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signer"].queryset = _officials(  # type: ignore[attr-defined]
            agency, frozenset({Role.LEADER})
        )


class ReturnForm(forms.Form):
    """Trả lại: the comment is required."""

    comment = forms.CharField(label=_("Ý kiến"), widget=forms.Textarea)


class SignForm(forms.Form):
    """Ký số: the certificate's passphrase (never kept), position and competence."""

    passphrase = forms.CharField(
        label=_("Mật khẩu chứng thư số"), widget=forms.PasswordInput, strip=False
    )
    position = forms.CharField(label=_("Chức vụ"), max_length=120, required=False)
    competence = forms.ChoiceField(
        label=_("Thẩm quyền ký"),
        required=False,
        choices=[
            ("", "—"),
            ("TM.", "TM."),
            ("KT.", "KT."),
            ("TL.", "TL."),
            ("TUQ.", "TUQ."),
            ("Q.", "Q."),
        ],
    )


class IssueForm(forms.Form):
    """Ban hành: date, copies."""

    issued_date = forms.DateField(label=_("Ngày ban hành"), required=False)
    copies = forms.IntegerField(label=_("Số lượng bản"), min_value=1, required=False)


class RegisterForm(forms.Form):
    """The outgoing register's filter."""

    agency = forms.ModelChoiceField(label=_("Cơ quan"), queryset=OrgUnit.objects.none())
    year = forms.IntegerField(label=_("Năm"), min_value=1900, max_value=9999, required=False)
    series = forms.ChoiceField(
        label=_("Sổ"),
        required=False,
        choices=[
            ("", _("Tất cả")),
            ("outgoing", _("Văn bản đi")),
            ("legal", _("Văn bản quy phạm pháp luật")),
            ("secret", _("Văn bản mật")),
        ],
    )
    date_from = forms.DateField(label=_("Từ ngày"), required=False)
    date_to = forms.DateField(label=_("Đến ngày"), required=False)
    format = forms.ChoiceField(
        required=False, choices=[("", "HTML"), ("xlsx", "XLSX"), ("pdf", "PDF")]
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies_of(user)  # type: ignore[attr-defined]

    def clean_year(self) -> int:
        year = self.cleaned_data.get("year")
        return int(year) if year else timezone.localdate().year

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: datetime.date | None = data.get("date_from")
        end: datetime.date | None = data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data


class VerifyForm(forms.Form):
    """Kiểm tra chữ ký số của một tệp PDF."""

    file = forms.FileField(label=_("Tệp PDF"))
