"""Search input, read the same way by the page, the API and the `lienthong search` command."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lienthong.search.query import MAX_QUERY_LENGTH, Query
from lienthong.search.services import MAX_LIMIT, check_query

MAX_OFFSET = 10_000
DEFAULT_LIMIT = 20


class SearchForm(forms.Form):
    """A query (`q`) and the page of results wanted (`limit`, `offset`)."""

    q = forms.CharField(
        label=_("Từ khóa"),
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "maxlength": MAX_QUERY_LENGTH}),
    )
    limit = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_LIMIT,
        error_messages={
            "invalid": _("Số kết quả phải là số nguyên."),
            "min_value": _("Số kết quả ít nhất là %(limit_value)s."),
            "max_value": _("Số kết quả nhiều nhất là %(limit_value)s."),
        },
    )
    offset = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_OFFSET,
        error_messages={
            "invalid": _("Vị trí bắt đầu phải là số nguyên."),
            "min_value": _("Vị trí bắt đầu không được âm."),
            "max_value": _("Vị trí bắt đầu tối đa là %(limit_value)s."),
        },
    )

    def clean_q(self) -> Query:
        # Raises a ValidationError with a Vietnamese message for an empty or too long query.
        return check_query(self.cleaned_data.get("q"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if data.get("limit") is None:
            data["limit"] = DEFAULT_LIMIT
        if data.get("offset") is None:
            data["offset"] = 0
        return data
