"""Forms of the inbox pages: delegations and the generic moves of a case."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.accounts.models import Role, User
from lienthong.workflow.models import ProcessStep


def _official_label(user: User) -> str:
    unit = f" — {user.org_unit}" if user.org_unit_id else ""
    return f"{user.full_name or user.username} ({user.username}){unit}"


class OfficialChoiceField(forms.ModelChoiceField):
    """An official, shown with their unit."""

    def label_from_instance(self, obj: Any) -> str:
        return _official_label(obj)


def substitutes_for(user: User) -> QuerySet[User]:
    """Officials who may stand in: the active officials of the user's agency (all of them for
    an official outside any unit)."""
    officials = User.objects.filter(kind=User.Kind.OFFICIAL, is_active=True)
    agency = user.org_unit.agency if user.org_unit_id and user.org_unit else None
    if agency is not None:
        officials = officials.filter(org_unit__path__startswith=agency.path)
    return officials.select_related("org_unit").order_by("full_name", "username")


def principals_for(user: User) -> QuerySet[User]:
    """Officials the user may name a substitute for: themselves, and the members of units
    where they are a leader or IT administrator."""
    paths = list(
        user.role_assignments.filter(
            role__in=[Role.LEADER, Role.IT_ADMIN], org_unit__isnull=False
        ).values_list("org_unit__path", flat=True)
    )
    condition = Q(pk=user.pk)
    for path in paths:
        condition |= Q(org_unit__path__startswith=path)
    return (
        User.objects.filter(kind=User.Kind.OFFICIAL, is_active=True)
        .filter(condition)
        .select_related("org_unit")
        .order_by("full_name", "username")
    )


class DelegationForm(forms.Form):
    """Name a substitute (ủy quyền xử lý thay) for a period."""

    principal = OfficialChoiceField(label=_("Người ủy quyền"), queryset=User.objects.none())
    substitute = OfficialChoiceField(label=_("Người được ủy quyền"), queryset=User.objects.none())
    starts_on = forms.DateField(
        label=_("Từ ngày"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("Đến ngày"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(label=_("Lý do"), max_length=255, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        today = timezone.localdate()
        kwargs.setdefault(
            "initial",
            {"principal": user.pk, "starts_on": today, "ends_on": today + datetime.timedelta(7)},
        )
        super().__init__(*args, **kwargs)
        principal = self.fields["principal"]
        substitute = self.fields["substitute"]
        assert isinstance(principal, OfficialChoiceField)
        assert isinstance(substitute, OfficialChoiceField)
        principal.queryset = principals_for(user)
        substitute.queryset = substitutes_for(user).exclude(pk=user.pk)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
        principal.widget.attrs["class"] = "form-select"
        substitute.widget.attrs["class"] = "form-select"


class MoveForm(forms.Form):
    """A move of a case: the note, and the open task the official saw."""

    note = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    task = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReturnForm(MoveForm):
    """Return to an earlier step."""

    step = forms.ModelChoiceField(
        label=_("Trả lại bước"),
        queryset=ProcessStep.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, steps: QuerySet[ProcessStep], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        step = self.fields["step"]
        assert isinstance(step, forms.ModelChoiceField)
        step.queryset = steps


class ResumeForm(MoveForm):
    """Resume: with the time left, or to a new due moment."""

    due_at = forms.DateTimeField(
        label=_("Hạn giải quyết mới (nếu tính lại thời hạn)"),
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"
        ),
    )
