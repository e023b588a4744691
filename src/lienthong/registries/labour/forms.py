"""Edit and search forms of the labour registry."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lienthong.registries.base.forms import RegistryForm, style_fields
from lienthong.registries.labour import catalogue
from lienthong.registries.labour.models import JobSeeker, Vacancy

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _CodesField(forms.MultipleChoiceField):
    """A list of codes shown as a multiple select, stored as the model's padded text."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return catalogue.split_codes(value)
        return value


def _codes_initial(form: forms.ModelForm[Any], name: str) -> None:
    value = form.initial.get(name)
    if isinstance(value, str):
        form.initial[name] = catalogue.split_codes(value)


class JobSeekerForm(RegistryForm):
    """A job seeker's data: desired occupations and skills chosen from the catalogues."""

    occupation_codes = _CodesField(
        label=_("Nghề mong muốn (VSCO cấp 4)"),
        choices=catalogue.occupation_choices,
        help_text=_("Tối đa 5 nghề."),
    )
    skill_codes = _CodesField(label=_("Kỹ năng"), choices=catalogue.skill_choices, required=False)

    class Meta:
        model = JobSeeker
        fields = [
            "owner",
            "personal_id",
            "full_name",
            "birth_date",
            "sex",
            "phone",
            "commune",
            "legacy_commune",
            "street",
            "occupation_codes",
            "skill_codes",
            "education",
            "experience_years",
            "desired_wage",
            "status",
            "registered_on",
            "note",
        ]
        widgets = {
            "birth_date": _DATE,
            "registered_on": _DATE,
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _codes_initial(self, "occupation_codes")
        _codes_initial(self, "skill_codes")

    def clean_occupation_codes(self) -> str:
        codes = catalogue.clean_occupation_codes(self.cleaned_data.get("occupation_codes"))
        return catalogue.join_codes(codes)

    def clean_skill_codes(self) -> str:
        return catalogue.join_codes(
            catalogue.clean_skill_codes(self.cleaned_data.get("skill_codes"))
        )


class VacancyForm(RegistryForm):
    """A vacancy: employer, occupation, required skills, place, wage range, deadline."""

    occupation_code = forms.ChoiceField(
        label=_("Nghề (VSCO cấp 4)"), choices=catalogue.occupation_choices
    )
    skill_codes = _CodesField(
        label=_("Kỹ năng yêu cầu"), choices=catalogue.skill_choices, required=False
    )

    class Meta:
        model = Vacancy
        fields = [
            "owner",
            "employer_tax_code",
            "employer_name",
            "title",
            "occupation_code",
            "skill_codes",
            "min_education",
            "commune",
            "legacy_commune",
            "street",
            "quantity",
            "wage_min",
            "wage_max",
            "deadline",
            "status",
            "description",
        ]
        widgets = {"deadline": _DATE, "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _codes_initial(self, "skill_codes")

    def clean_skill_codes(self) -> str:
        return catalogue.join_codes(
            catalogue.clean_skill_codes(self.cleaned_data.get("skill_codes"))
        )


class MatchFilterForm(forms.Form):
    """Options of the match page: how many to show."""

    limit = forms.IntegerField(min_value=1, max_value=100, required=False, initial=20)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)
