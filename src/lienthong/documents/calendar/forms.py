"""Forms of the work calendar, shared by the pages and the API (which binds them to JSON).

Times without a zone are read as Asia/Ho_Chi_Minh (the platform's TIME_ZONE); times with one
are kept as given.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lienthong.accounts.models import User
from lienthong.core.models import OrgUnit
from lienthong.documents.calendar.models import Room
from lienthong.documents.calendar.services import EventData

_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


class OfficialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        position = f" — {obj.position}" if obj.position else ""
        return f"{obj}{position}"


class OfficialsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        position = f" — {obj.position}" if obj.position else ""
        return f"{obj}{position}"


def _officials() -> Any:
    return User.objects.filter(kind=User.Kind.OFFICIAL, is_active=True).order_by(
        "full_name", "username"
    )


class EventForm(forms.Form):
    """An event as an official enters it; `to_data()` gives the service's `EventData`."""

    title = forms.CharField(label=_("Nội dung chính"), max_length=300)
    content = forms.CharField(
        label=_("Nội dung chi tiết"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_at = forms.DateTimeField(
        label=_("Bắt đầu"),
        input_formats=_DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=_("Kết thúc"),
        input_formats=_DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    room = forms.ModelChoiceField(
        label=_("Phòng họp"), queryset=Room.objects.none(), required=False
    )
    location = forms.CharField(label=_("Địa điểm khác"), max_length=255, required=False)
    chair = OfficialChoiceField(label=_("Chủ trì"), queryset=User.objects.none(), required=False)
    participants = OfficialsField(
        label=_("Thành phần tham dự (cán bộ)"), queryset=User.objects.none(), required=False
    )
    participant_units = forms.ModelMultipleChoiceField(
        label=_("Đơn vị tham dự"), queryset=OrgUnit.objects.none(), required=False
    )
    guests = forms.CharField(
        label=_("Khách mời (mỗi dòng một người)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    preparing_unit = forms.ModelChoiceField(
        label=_("Đơn vị chuẩn bị"), queryset=OrgUnit.objects.none(), required=False
    )
    confirm = forms.BooleanField(label=_("Vẫn lưu dù có người trùng lịch"), required=False)

    def __init__(
        self,
        *args: Any,
        agency: OrgUnit | None = None,
        keep_people: list[int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        rooms = Room.objects.filter(is_active=True).select_related("agency")
        units = OrgUnit.objects.filter(is_active=True)
        officials = _officials()
        if agency is not None:
            # The pages offer the agency's own rooms, units and officials (plus the people an
            # event already has); the API (no agency here) takes any; the service checks both.
            rooms = rooms.filter(agency=agency)
            self._choices("preparing_unit").queryset = units.filter(path__startswith=agency.path)
            officials = officials.filter(
                Q(org_unit__path__startswith=agency.path) | Q(pk__in=keep_people or [])
            )
        else:
            self._choices("preparing_unit").queryset = units
        self._choices("room").queryset = rooms
        self._choices("chair").queryset = officials
        self._choices("participants").queryset = officials
        self._choices("participant_units").queryset = units
        for name, bound in self.fields.items():
            widget = bound.widget
            if isinstance(widget, forms.CheckboxInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            invalid = " is-invalid" if self.is_bound and name in self.errors else ""
            widget.attrs["class"] = css + invalid
            if isinstance(widget, forms.SelectMultiple):
                widget.attrs["size"] = "6"

    def _choices(self, name: str) -> forms.ModelChoiceField[Any]:
        return cast("forms.ModelChoiceField[Any]", self.fields[name])

    def to_data(self) -> EventData:
        """The cleaned form as the service's input."""
        data = self.cleaned_data
        return EventData(
            title=data["title"],
            content=data.get("content") or "",
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            room=data.get("room"),
            location=data.get("location") or "",
            chair=data.get("chair"),
            participants=list(data.get("participants") or []),
            participant_units=list(data.get("participant_units") or []),
            guests=data.get("guests") or "",
            preparing_unit=data.get("preparing_unit"),
        )


class RoomForm(forms.Form):
    """A room as the agency's office enters it."""

    name = forms.CharField(label=_("Tên phòng"), max_length=200)
    kind = forms.ChoiceField(label=_("Loại phòng"), choices=Room.Kind.choices)
    capacity = forms.IntegerField(label=_("Sức chứa (người)"), min_value=0, initial=0)
    location = forms.CharField(label=_("Địa điểm"), max_length=255, required=False)
    video_link = forms.CharField(
        label=_("Đường dẫn / điểm cầu trực tuyến"), max_length=500, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if is_select else "form-control"


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Lý do hủy"), max_length=500, required=False)
