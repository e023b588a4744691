"""Forms of the complaints pages: they parse input; the services decide."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from lienthong.accounts.models import Role, User
from lienthong.complaints.models import (
    Channel,
    Complexity,
    Field,
    Kind,
    Outcome,
    Recommendation,
    Stage,
)
from lienthong.core.models import OrgUnit

STAGES = [
    (Stage.FIRST, Stage.FIRST.label),
    (Stage.SECOND, Stage.SECOND.label),
    (Stage.DISCIPLINARY, Stage.DISCIPLINARY.label),
]
DATE = forms.DateInput(attrs={"type": "date"})


class AgencyChoiceField(forms.ModelChoiceField):
    """An agency picked from the list (name and code)."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})" if obj.code else str(obj.name)


def _choices(form: forms.Form, name: str) -> forms.ModelChoiceField:
    """A form's model choice field, typed as one."""
    return cast(forms.ModelChoiceField, form.fields[name])


def agencies() -> Any:
    return OrgUnit.objects.filter(is_agency=True).exclude(code=None).order_by("name")


class CaseForm(forms.Form):
    """A case: filed online by a citizen, or registered by an official."""

    kind = forms.ChoiceField(label=_("Loại đơn"), choices=Kind.choices)
    stage = forms.ChoiceField(
        label=_("Khiếu nại lần"), choices=STAGES, required=False, initial=Stage.FIRST
    )
    agency = AgencyChoiceField(label=_("Gửi đến cơ quan"), queryset=OrgUnit.objects.none())
    field = forms.ChoiceField(label=_("Lĩnh vực"), choices=Field.choices)
    filer_name = forms.CharField(label=_("Họ và tên người gửi"), max_length=150)
    filer_personal_id = forms.CharField(
        label=_("Số định danh cá nhân"), max_length=12, required=False
    )
    filer_address = forms.CharField(label=_("Địa chỉ"), max_length=255)
    filer_phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)
    filer_email = forms.EmailField(label=_("Thư điện tử"), required=False)
    respondent = forms.CharField(
        label=_("Người, cơ quan bị khiếu nại, tố cáo"), max_length=255, required=False
    )
    subject = forms.CharField(label=_("Tóm tắt nội dung"), max_length=255)
    content = forms.CharField(label=_("Nội dung đơn"), widget=forms.Textarea(attrs={"rows": 6}))
    known_on = forms.DateField(
        label=_("Ngày nhận được, biết được quyết định, hành vi bị khiếu nại"),
        required=False,
        widget=DATE,
    )
    late_reason = forms.CharField(
        label=_("Lý do gửi đơn quá thời hiệu (nếu có)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    remote = forms.BooleanField(label=_("Ở vùng sâu, vùng xa, đi lại khó khăn"), required=False)

    def __init__(self, *args: Any, official: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "agency").queryset = agencies()
        if official:
            self.fields["channel"] = forms.ChoiceField(
                label=_("Hình thức tiếp nhận"),
                choices=[
                    (Channel.RECEPTION, Channel.RECEPTION.label),
                    (Channel.POST, Channel.POST.label),
                ],
            )


class ReceptionForm(forms.Form):
    """A row of the citizen reception register."""

    agency = AgencyChoiceField(label=_("Cơ quan"), queryset=OrgUnit.objects.none())
    person_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    person_personal_id = forms.CharField(
        label=_("Số định danh cá nhân"), max_length=12, required=False
    )
    address = forms.CharField(label=_("Địa chỉ"), max_length=255)
    people_count = forms.IntegerField(label=_("Số người"), min_value=1, initial=1)
    content = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 3}))
    earlier_handling = forms.CharField(
        label=_("Đã được cơ quan nào giải quyết"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    requests = forms.CharField(
        label=_("Yêu cầu của người đến"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    result = forms.CharField(
        label=_("Kết quả tiếp, hướng xử lý"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "agency").queryset = agencies()


class AcceptForm(forms.Form):
    """Acceptance: how complex the case is, and whether it is in a remote area."""

    complexity = forms.ChoiceField(
        label=_("Mức độ"),
        choices=[
            (Complexity.NORMAL, Complexity.NORMAL.label),
            (Complexity.COMPLEX, Complexity.COMPLEX.label),
        ],
    )
    remote = forms.BooleanField(label=_("Vùng sâu, vùng xa"), required=False)


class ReasonForm(forms.Form):
    """A reason (refusal)."""

    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}))


class ForwardForm(ReasonForm):
    """The competent agency and the reason."""

    to_agency = AgencyChoiceField(label=_("Cơ quan có thẩm quyền"), queryset=OrgUnit.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "to_agency").queryset = agencies()


class AssignForm(forms.Form):
    """The verifier: a specialist of the agency."""

    handler = forms.ModelChoiceField(label=_("Người xác minh"), queryset=User.objects.none())
    note = forms.CharField(label=_("Ý kiến giao việc"), required=False)

    def __init__(self, *args: Any, agency: OrgUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ancestors = [int(p) for p in agency.path.strip("/").split("/") if p]
        _choices(self, "handler").queryset = (
            User.objects.filter(
                is_active=True,
                kind=User.Kind.OFFICIAL,
                role_assignments__role=Role.SPECIALIST,
                role_assignments__org_unit_id__in=ancestors,
            )
            .distinct()
            .order_by("full_name")
        )


class ExtendForm(forms.Form):
    """A written extension of a denunciation."""

    complexity = forms.ChoiceField(
        label=_("Mức độ"),
        choices=[
            (Complexity.COMPLEX, Complexity.COMPLEX.label),
            (Complexity.VERY_COMPLEX, Complexity.VERY_COMPLEX.label),
        ],
    )
    days = forms.IntegerField(label=_("Số ngày gia hạn"), min_value=1, max_value=30, initial=30)
    notice_number = forms.CharField(label=_("Số văn bản gia hạn"), max_length=60)
    reason = forms.CharField(label=_("Lý do gia hạn"), widget=forms.Textarea(attrs={"rows": 2}))


class ReportForm(forms.Form):
    """The verification report."""

    text = forms.CharField(
        label=_("Báo cáo kết quả xác minh"), widget=forms.Textarea(attrs={"rows": 4})
    )


class ConcludeForm(forms.Form):
    """The conclusion or decision."""

    outcome = forms.ChoiceField(label=_("Kết quả"), choices=Outcome.choices)
    number = forms.CharField(label=_("Số văn bản"), max_length=60)
    conclusion = forms.CharField(
        label=_("Nội dung kết luận, quyết định"), widget=forms.Textarea(attrs={"rows": 4})
    )


class StatsForm(forms.Form):
    """The statistics' period and grouping."""

    start = forms.DateField(label=_("Từ ngày"), widget=DATE)
    end = forms.DateField(label=_("Đến ngày"), widget=DATE)
    by = forms.ChoiceField(
        label=_("Thống kê theo"),
        choices=[
            ("kind", _("Loại đơn")),
            ("field", _("Lĩnh vực")),
            ("agency", _("Cơ quan")),
            ("outcome", _("Kết quả")),
        ],
        initial="kind",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, datetime.date) and isinstance(end, datetime.date):
            if end < start:
                self.add_error("end", _("Ngày cuối phải từ ngày đầu trở đi."))
            elif (end - start).days > 3660:
                self.add_error("end", _("Kỳ báo cáo tối đa 10 năm."))
        return data


class PlanForm(forms.Form):
    """An annual inspection plan."""

    agency = AgencyChoiceField(label=_("Cơ quan thanh tra"), queryset=OrgUnit.objects.none())
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Tên kế hoạch"), max_length=255)
    decision_number = forms.CharField(label=_("Số quyết định phê duyệt"), required=False)
    approved_on = forms.DateField(label=_("Ngày phê duyệt"), required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "agency").queryset = agencies()


class InspectionForm(forms.Form):
    """An inspection of a plan, or unscheduled."""

    agency = AgencyChoiceField(label=_("Cơ quan thanh tra"), queryset=OrgUnit.objects.none())
    subject = forms.CharField(label=_("Nội dung thanh tra"), max_length=255)
    target = forms.CharField(label=_("Đối tượng thanh tra"), max_length=255)
    plan_year = forms.IntegerField(
        label=_("Thuộc kế hoạch năm (bỏ trống: đột xuất)"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "agency").queryset = agencies()


class DecideForm(forms.Form):
    """The inspection decision and the team."""

    decision_number = forms.CharField(label=_("Số quyết định"), max_length=60)
    decision_date = forms.DateField(label=_("Ngày quyết định"), widget=DATE)
    duration_days = forms.IntegerField(label=_("Thời hạn thanh tra (ngày)"), min_value=1)
    team_leader = forms.ModelChoiceField(label=_("Trưởng đoàn"), queryset=User.objects.none())
    members = forms.ModelMultipleChoiceField(
        label=_("Thành viên"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        officials = User.objects.filter(is_active=True, kind=User.Kind.OFFICIAL).order_by(
            "full_name"
        )
        _choices(self, "team_leader").queryset = officials
        _choices(self, "members").queryset = officials


class InspectionConclusionForm(forms.Form):
    """The conclusion; one recommendation per line: text | responsible | due (yyyy-mm-dd)."""

    number = forms.CharField(label=_("Số kết luận"), max_length=60)
    conclusion = forms.CharField(
        label=_("Nội dung kết luận"), widget=forms.Textarea(attrs={"rows": 4})
    )
    recommendations = forms.CharField(
        label=_("Kiến nghị (mỗi dòng: nội dung | đơn vị thực hiện | hạn yyyy-mm-dd)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class FollowUpForm(forms.Form):
    """The follow-up of a recommendation."""

    status = forms.ChoiceField(label=_("Tình trạng"), choices=Recommendation.Status.choices)
    note = forms.CharField(label=_("Kết quả theo dõi, đôn đốc"))
