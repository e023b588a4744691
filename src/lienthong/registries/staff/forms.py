"""Forms of the staff registry pages. They parse and validate; the services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import OrgUnit
from lienthong.registries.base.forms import RegistryForm, style_fields
from lienthong.registries.base.services import owner_agencies
from lienthong.registries.staff.choices import SalaryChangeReason
from lienthong.registries.staff.models import (
    Appointment,
    Discipline,
    Position,
    Qualification,
    Rank,
    Reward,
    School,
    StaffMember,
    TrainingCourse,
)
from lienthong.registries.staff.services import EDITABLE_FIELDS

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def editable_units(user: Any) -> Any:
    """Org units a user may place staff in: everything below the agencies they edit for."""
    agencies = list(owner_agencies(user))
    if getattr(user, "is_superuser", False):
        return OrgUnit.objects.active()
    if not agencies:
        return OrgUnit.objects.none()
    from django.db.models import Q

    condition = Q()
    for agency in agencies:
        condition |= Q(path__startswith=agency.path)
    return OrgUnit.objects.active().filter(condition)


class MemberForm(RegistryForm):
    """Personal and sector data of a member. The owner agency is the one above the chosen
    unit; the salary placement and the post are set by their own decisions afterwards."""

    class Meta:
        model = StaffMember
        fields = EDITABLE_FIELDS
        widgets = {"birth_date": _DATE, "joined_on": _DATE}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["org_unit"].queryset = editable_units(user)  # type: ignore[attr-defined]
        self.fields["school"].queryset = School.objects.select_related("org_unit")  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        # The owner is derived from the unit before Django validates the instance.
        unit = self.cleaned_data.get("org_unit")
        if unit is not None:
            from lienthong.registries.staff.services import owner_of

            try:
                self.instance.owner = owner_of(unit)
            except forms.ValidationError as exc:
                self.add_error("org_unit", exc)
        super()._post_clean()  # type: ignore[misc]

    def member_values(self) -> dict[str, Any]:
        """The editable fields, for `services.create_member` / `update_member`."""
        return {
            name: self.cleaned_data[name] for name in EDITABLE_FIELDS if name in self.cleaned_data
        }


class SalaryChangeForm(forms.Form):
    """A salary decision: new rank and step from a date (nâng lương, nâng ngạch, …)."""

    reason = forms.ChoiceField(label=_("Lý do"), choices=SalaryChangeReason.choices)
    rank = forms.ModelChoiceField(
        label=_("Ngạch, chức danh"),
        queryset=Rank.objects.filter(is_active=True).select_related("scale"),
    )
    step = forms.IntegerField(label=_("Bậc"), min_value=1, max_value=20)
    over_scale_percent = forms.IntegerField(
        label=_("Phụ cấp vượt khung (%)"), min_value=0, max_value=100, initial=0, required=False
    )
    effective_date = forms.DateField(label=_("Ngày hưởng"), widget=_DATE)
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=50)
    decision_date = forms.DateField(label=_("Ngày quyết định"), widget=_DATE, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class RegularRaiseForm(forms.Form):
    """The regular raise the decree computes: only the decision is entered."""

    decision_number = forms.CharField(label=_("Số quyết định"), max_length=50)
    decision_date = forms.DateField(label=_("Ngày quyết định"), widget=_DATE, required=False)
    effective_date = forms.DateField(
        label=_("Ngày hưởng (để trống: ngày đến hạn)"), widget=_DATE, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class AppointmentForm(forms.ModelForm):
    """An appointment decision (bổ nhiệm)."""

    class Meta:
        model = Appointment
        fields = ("position", "decision_number", "decision_date", "effective_date", "term_years")
        widgets = {"decision_date": _DATE, "effective_date": _DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["position"].queryset = Position.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["decision_number"].required = True
        style_fields(self)


class EndAppointmentForm(forms.Form):
    """The day a post ends (miễn nhiệm, thôi giữ chức vụ)."""

    ended_on = forms.DateField(label=_("Thôi giữ chức vụ từ ngày"), widget=_DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class _CareerForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class QualificationForm(_CareerForm):
    class Meta:
        model = Qualification
        fields = ("kind", "level", "major", "institution", "year")


class TrainingForm(_CareerForm):
    class Meta:
        model = TrainingCourse
        fields = ("name", "institution", "start_date", "end_date", "certificate")
        widgets = {"start_date": _DATE, "end_date": _DATE}


class RewardForm(_CareerForm):
    class Meta:
        model = Reward
        fields = ("form", "content", "decision_number", "decision_date", "issuer")
        widgets = {"decision_date": _DATE}


class DisciplineForm(_CareerForm):
    class Meta:
        model = Discipline
        fields = ("form", "reason", "decision_number", "decision_date", "issuer")
        widgets = {"decision_date": _DATE}


#: The career tabs that take a plain form: URL segment → form class.
CAREER_FORMS: dict[str, type[_CareerForm]] = {
    "trinh-do": QualificationForm,
    "dao-tao": TrainingForm,
    "khen-thuong": RewardForm,
    "ky-luat": DisciplineForm,
}
