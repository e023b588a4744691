"""Edit and report forms of the budget registry."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import OrgUnit
from lienthong.registries.base.forms import RegistryForm, style_fields
from lienthong.registries.budget import codes
from lienthong.registries.budget.models import PERIOD_CHOICES, BudgetLine, current_year


def _blank(choices: list[tuple[str, str]], label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *choices]


class BudgetLineForm(RegistryForm):
    """One amount: agency, year and period, kind and stage, codes, amount in đồng."""

    chapter_code = forms.ChoiceField(label=_("Mã chương"), choices=codes.chapter_choices)
    item_code = forms.ChoiceField(
        label=_("Mã mục"),
        choices=lambda: _blank(codes.item_choices()),
        required=False,
        help_text=_("Để trống: lấy theo tiểu mục."),
    )
    sub_item_code = forms.ChoiceField(
        label=_("Mã tiểu mục"), choices=lambda: _blank(codes.sub_item_choices()), required=False
    )

    class Meta:
        model = BudgetLine
        fields = [
            "owner",
            "agency",
            "year",
            "period",
            "kind",
            "stage",
            "chapter_code",
            "item_code",
            "sub_item_code",
            "amount",
            "description",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ModelChoiceField)
        agency.queryset = OrgUnit.objects.agencies().active()
        if not self.instance.pk:
            self.initial.setdefault("year", current_year())


class ReportForm(forms.Form):
    """Parameters of the period report."""

    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    period = forms.ChoiceField(label=_("Kỳ"), choices=PERIOD_CHOICES, initial="Y")
    agency = forms.ModelChoiceField(
        label=_("Đơn vị"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("Tất cả đơn vị được xem"),
    )
    include_units = forms.BooleanField(
        label=_("Gồm các đơn vị trực thuộc"), required=False, initial=True
    )
    chapter = forms.ChoiceField(
        label=_("Chương"),
        choices=lambda: _blank(codes.chapter_choices(), _("Tất cả")),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ModelChoiceField)
        agency.queryset = OrgUnit.objects.agencies()
        self.fields["year"].initial = current_year()
        style_fields(self)
