"""The statistics request (period, agency, grouping), read alike by the page, the API and the
`lienthong stats` command, so the rules and the Vietnamese messages are the same everywhere."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.core.calendar import local_date
from lienthong.core.models import OrgUnit
from lienthong.onestop.stats import Report, agencies_visible_to, ii06a

MAX_YEARS = 5
MIN_YEAR, MAX_YEAR = 2000, 2100
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
TRUE_VALUES = {"1", "true", "on", "yes", "có"}
FALSE_VALUES = {"0", "false", "off", "no", "không"}

PERIOD_CHOICES = [
    ("month", _("Tháng")),
    ("quarter", _("Quý")),
    ("year", _("Năm")),
    ("custom", _("Tùy chọn")),
]
BY_CHOICES = [("field", _("Theo lĩnh vực")), ("agency", _("Theo cơ quan"))]


def add_years(day: date, years: int) -> date:
    """The same day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def agency_value(unit: OrgUnit) -> str:
    """How an agency is named in a request: its identification code, else its id."""
    return unit.code or str(unit.pk)


def _date_field(label: Any, invalid: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": invalid},
    )


class Ii06aForm(forms.Form):
    """Which form II.06a to draw: a period (a month, a quarter, a year or two dates), an
    agency the user may see (or all of them), per field or per agency."""

    period = forms.ChoiceField(
        label=_("Kỳ báo cáo"),
        choices=PERIOD_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("Kỳ báo cáo phải là tháng, quý, năm hoặc tùy chọn.")},
    )
    year = forms.IntegerField(
        label=_("Năm"),
        required=False,
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        error_messages={
            "invalid": _("Năm phải là một số, ví dụ 2025."),
            "min_value": _("Năm phải trong khoảng %(low)s–%(high)s.")
            % {"low": MIN_YEAR, "high": MAX_YEAR},
            "max_value": _("Năm phải trong khoảng %(low)s–%(high)s.")
            % {"low": MIN_YEAR, "high": MAX_YEAR},
        },
    )
    quarter = forms.TypedChoiceField(
        label=_("Quý"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(str(q), _("Quý %(n)s") % {"n": q}) for q in range(1, 5)],
        error_messages={"invalid_choice": _("Quý phải từ 1 đến 4.")},
    )
    month = forms.TypedChoiceField(
        label=_("Tháng"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(str(m), _("Tháng %(n)s") % {"n": m}) for m in range(1, 13)],
        error_messages={"invalid_choice": _("Tháng phải từ 1 đến 12.")},
    )
    agency = forms.CharField(
        label=_("Cơ quan"),
        required=False,
        max_length=40,
        help_text=_("Mã định danh của cơ quan (xxx.xx.xx.Xnn); để trống: mọi cơ quan được xem."),
    )
    by = forms.ChoiceField(
        label=_("Tổng hợp"),
        choices=BY_CHOICES,
        required=False,
        error_messages={
            "invalid_choice": _("Chỉ tổng hợp theo lĩnh vực (field) hoặc cơ quan (agency).")
        },
    )
    subunits = forms.CharField(label=_("Gồm cả cơ quan trực thuộc"), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # "from" is a Python keyword, so it cannot be a declared field; it is the name the
        # command line, the API and the page all use.
        self.fields = {
            **self.fields,
            "from": _date_field(
                _("Từ ngày"), _("Từ ngày: nhập theo dạng 2025-01-01 hoặc 01/01/2025.")
            ),
            "to": _date_field(
                _("Đến ngày"), _("Đến ngày: nhập theo dạng 2025-03-31 hoặc 31/03/2025.")
            ),
        }

    # -- the agencies on offer --

    def allowed_agencies(self) -> QuerySet[OrgUnit]:
        """Agencies the user may draw the report for (every agency without a user: the
        command line runs with the server's rights)."""
        if self.user is None:
            return OrgUnit.objects.agencies()
        return agencies_visible_to(self.user)

    def agency_choices(self) -> list[tuple[str, str]]:
        """(value, name) of the allowed agencies in tree order, indented by depth."""
        units = list(self.allowed_agencies().order_by("path").only("pk", "code", "name", "depth"))
        top = min((u.depth for u in units), default=0)
        return [(agency_value(u), "\u2003" * (u.depth - top) + u.name) for u in units]

    # -- cleaning --

    def clean_subunits(self) -> bool:
        value = (self.cleaned_data.get("subunits") or "").strip().lower()
        if value in ("", *TRUE_VALUES):
            return True
        if value in FALSE_VALUES:
            return False
        raise forms.ValidationError(
            _("“Gồm cả cơ quan trực thuộc” phải là 1 (có) hoặc 0 (không)."), code="invalid"
        )

    def clean_agency(self) -> OrgUnit | None:
        value = (self.cleaned_data.get("agency") or "").strip()
        if not value:
            return None
        allowed = self.allowed_agencies()
        found = allowed.filter(code=value).first()
        if found is None and value.isdigit():
            found = allowed.filter(pk=int(value)).first()
        if found is None:
            # The same answer for an agency that does not exist and one the user may not see.
            raise forms.ValidationError(
                _(
                    "Không tìm thấy cơ quan “%(value)s”, hoặc bạn không được xem thống kê "
                    "của cơ quan này."
                ),
                code="agency",
                params={"value": value},
            )
        return found

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["by"] = cleaned.get("by") or "field"
        period = cleaned.get("period") or (
            "custom" if self.data.get("from") or self.data.get("to") else ""
        )
        if not period:
            self.add_error("period", _("Chưa chọn kỳ báo cáo."))
            return cleaned
        cleaned["period"] = period
        year = cleaned.get("year")
        if period == "custom":
            start, end = cleaned.get("from"), cleaned.get("to")
            if "from" not in self.errors and start is None:
                self.add_error("from", _("Chưa nhập từ ngày."))
            if "to" not in self.errors and end is None:
                self.add_error("to", _("Chưa nhập đến ngày."))
            if start is None or end is None:
                return cleaned
        elif year is None:
            if "year" not in self.errors:
                self.add_error("year", _("Chưa nhập năm của kỳ báo cáo."))
            return cleaned
        elif period == "year":
            start, end = date(year, 1, 1), date(year, 12, 31)
        elif period == "quarter":
            quarter = cleaned.get("quarter")
            if quarter is None:
                if "quarter" not in self.errors:
                    self.add_error("quarter", _("Chưa chọn quý."))
                return cleaned
            start, end = date(year, 3 * quarter - 2, 1), month_end(year, 3 * quarter)
        else:
            month = cleaned.get("month")
            if month is None:
                if "month" not in self.errors:
                    self.add_error("month", _("Chưa chọn tháng."))
                return cleaned
            start, end = date(year, month, 1), month_end(year, month)
        if not (MIN_YEAR <= start.year <= MAX_YEAR and MIN_YEAR <= end.year <= MAX_YEAR):
            self.add_error(
                None,
                _("Kỳ báo cáo phải nằm trong các năm %(low)s–%(high)s.")
                % {"low": MIN_YEAR, "high": MAX_YEAR},
            )
        elif start > end:
            self.add_error("to", _("Đến ngày phải bằng hoặc sau từ ngày."))
        elif end >= add_years(start, MAX_YEARS):
            self.add_error("to", _("Kỳ báo cáo dài tối đa %(n)s năm.") % {"n": MAX_YEARS})
        cleaned["from"], cleaned["to"] = start, end
        return cleaned

    def report(self) -> Report:
        """The report asked for (call after `is_valid()`)."""
        data = self.cleaned_data
        return ii06a(
            data["from"],
            data["to"],
            agency=data.get("agency"),
            include_subunits=data["subunits"],
            group_by=data["by"],
            user=self.user,
        )


def default_data(today: date | None = None) -> dict[str, str]:
    """The request a page opens with: the current quarter, per field."""
    today = today or local_date(timezone.now())
    return {
        "period": "quarter",
        "year": str(today.year),
        "quarter": str((today.month - 1) // 3 + 1),
        "month": str(today.month),
        "by": "field",
        "subunits": "1",
    }
