"""The dashboard's filters (period, agency), read alike by the page, the PDF, the API and the
`lienthong dashboard` command, so that the rules and the Vietnamese messages are the same."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.core.calendar import local_date
from lienthong.core.models import OrgUnit
from lienthong.dashboard import selectors
from lienthong.onestop.forms_stats import DATE_FORMATS, MAX_YEARS, add_years, agency_value

PERIOD_CHOICES = [
    ("month", _("Tháng này")),
    ("year", _("Năm nay")),
    ("custom", _("Từ ngày – đến ngày")),
]


def _date_field(label: Any, invalid: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": invalid},
    )


class DashboardForm(forms.Form):
    """Which dashboard to draw: this month, this year or two dates; one agency the user may
    see (with those below it) or all of them."""

    period = forms.ChoiceField(
        label=_("Kỳ"),
        choices=PERIOD_CHOICES,
        required=False,
        error_messages={
            "invalid_choice": _("Kỳ phải là tháng này, năm nay hoặc từ ngày – đến ngày.")
        },
    )
    agency = forms.CharField(
        label=_("Cơ quan"),
        required=False,
        max_length=40,
        help_text=_("Mã định danh của cơ quan (xxx.xx.xx.Xnn); để trống: mọi cơ quan được xem."),
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # "from" is a Python keyword: it cannot be a declared field.
        self.fields = {
            "period": self.fields["period"],
            "from": _date_field(
                _("Từ ngày"), _("Từ ngày: nhập theo dạng 2025-01-01 hoặc 01/01/2025.")
            ),
            "to": _date_field(
                _("Đến ngày"), _("Đến ngày: nhập theo dạng 2025-12-31 hoặc 31/12/2025.")
            ),
            "agency": self.fields["agency"],
        }

    def allowed_agencies(self) -> QuerySet[OrgUnit]:
        """Agencies on offer (every agency without a user: the command line)."""
        if self.user is None:
            return OrgUnit.objects.agencies()
        return selectors.dashboard_agencies(self.user)

    def agency_choices(self) -> list[tuple[str, str]]:
        """(value, name) of the allowed agencies in tree order, indented by depth."""
        units = list(self.allowed_agencies().order_by("path").only("pk", "code", "name", "depth"))
        top = min((u.depth for u in units), default=0)
        return [(agency_value(u), "\u2003" * (u.depth - top) + u.name) for u in units]

    def clean_agency(self) -> OrgUnit | None:
        value = (self.cleaned_data.get("agency") or "").strip()
        if not value:
            return None
        lookup = {"pk": int(value)} if value.isdigit() else {"code": value}
        unit = self.allowed_agencies().filter(**lookup).first()
        if unit is None:
            raise forms.ValidationError(
                _("Không có cơ quan %(value)s trong các cơ quan bạn được xem."),
                code="agency",
                params={"value": value},
            )
        return unit

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = local_date(timezone.now())
        start, end = data.get("from"), data.get("to")
        period = data.get("period") or ("custom" if start or end else "month")
        if self.errors:
            return data
        if period == "custom":
            if start is None or end is None:
                raise forms.ValidationError(
                    _("Nhập cả từ ngày và đến ngày."), code="custom_needs_dates"
                )
        elif period == "year":
            start, end = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
        else:
            start = today.replace(day=1)
            end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        assert start is not None and end is not None
        if end < start:
            self.add_error("to", _("Đến ngày phải sau hoặc bằng từ ngày."))
        elif end > add_years(start, MAX_YEARS):
            self.add_error("to", _("Kỳ dài nhất là %(n)s năm.") % {"n": MAX_YEARS})
        data["period"], data["from"], data["to"] = period, start, end
        return data

    def summary(self) -> selectors.Summary:
        """The dashboard asked for (call after `is_valid()`)."""
        data = self.cleaned_data
        return selectors.summary(self.user, data["from"], data["to"], data["agency"])

    def query(self) -> str:
        """The cleaned filters as a query string (links to the PDF)."""
        from django.http import QueryDict

        data = self.cleaned_data
        params = QueryDict(mutable=True)
        params["from"] = data["from"].isoformat()
        params["to"] = data["to"].isoformat()
        if data.get("agency") is not None:
            params["agency"] = agency_value(data["agency"])
        return params.urlencode()
