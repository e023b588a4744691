"""Edit forms of the population registry."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lienthong.registries.base.forms import RegistryForm
from lienthong.registries.population.models import Household, Person, ethnic_groups

ADDRESS_FIELDS = [
    f"{prefix}_{part}"
    for prefix in ("permanent", "current")
    for part in ("street", "commune", "commune_legacy", "address_original")
]


class PersonForm(RegistryForm):
    """A person's data; the household is given by its number."""

    ethnicity = forms.ChoiceField(label=_("Dân tộc"), choices=ethnic_groups)
    household_code = forms.CharField(label=_("Số hộ"), max_length=20, required=False)

    class Meta:
        model = Person
        fields = [
            "owner",
            "personal_id",
            "full_name",
            "birth_date",
            "sex",
            "ethnicity",
            "hometown",
            *ADDRESS_FIELDS,
            "relation_to_head",
        ]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.household_id:
            self.initial["household_code"] = self.instance.household.code

    def clean_household_code(self) -> str:
        code = " ".join((self.cleaned_data.get("household_code") or "").split())
        household = Household.objects.filter(code=code).first() if code else None
        if code and household is None:
            raise forms.ValidationError(_("Không có hộ gia đình số “%(code)s”.") % {"code": code})
        self.instance.household = household
        return code


class HouseholdForm(RegistryForm):
    """A household's number and address (the head is set on the member's record)."""

    class Meta:
        model = Household
        fields = [
            "owner",
            "code",
            "head",
            "address_street",
            "address_commune",
            "address_commune_legacy",
            "address_address_original",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        head = self.fields["head"]
        assert isinstance(head, forms.ModelChoiceField)
        # Only the household's own members can head it (never a select over millions).
        head.queryset = (
            Person.objects.filter(household=self.instance)
            if self.instance.pk
            else Person.objects.none()
        )
