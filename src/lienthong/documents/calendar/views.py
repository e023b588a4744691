"""Pages of the work calendar under /lich-cong-tac/ (officials only).

- `/lich-cong-tac/` → the published week of the official's agency;
- `co-quan/<id>/?week=2026-W48` the published weekly schedule of an agency (week navigation,
  printable: the browser's print hides the navigation), with its iCalendar link;
- `ca-nhan/<id>/`, `don-vi/<id>/` a leader's (official's) and a unit's week;
- `quan-ly/` every event the official may see in a week, drafts too, with their states;
- `su-kien/moi/`, `su-kien/<id>/`, `su-kien/<id>/sua/` and the POST actions `trinh`,
  `cong-bo`, `huy`; `phong-hop/` the rooms (the office adds them).
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lienthong.accounts.models import User
from lienthong.core.models import OrgUnit
from lienthong.core.permissions import get_visible_or_404, official_required
from lienthong.documents.calendar import selectors, services
from lienthong.documents.calendar.forms import CancelForm, EventForm, RoomForm
from lienthong.documents.calendar.models import Event, EventQuerySet, Room


def _week_param(request: HttpRequest) -> tuple[datetime.date, str]:
    """The week asked for (this week when missing or malformed) and an error to show."""
    raw = request.GET.get("week", "")
    if not raw:
        return selectors.current_week(), ""
    try:
        return selectors.parse_week(raw), ""
    except ValueError as exc:
        return selectors.current_week(), str(exc)


def _week_context(
    request: HttpRequest, listed: EventQuerySet, monday: datetime.date, error: str, **extra: Any
) -> dict[str, Any]:
    week = datetime.timedelta(days=7)
    return {
        "days": selectors.days_of(listed, monday),
        "monday": monday,
        "sunday": monday + datetime.timedelta(days=6),
        "week": selectors.week_label(monday),
        "previous_week": selectors.week_label(monday - week),
        "next_week": selectors.week_label(monday + week),
        "this_week": selectors.week_label(selectors.current_week()),
        "week_error": error,
        **extra,
    }


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@require_GET
@official_required
def index(request: HttpRequest) -> HttpResponse:
    """The official's agency's week, or the list of agencies to choose from."""
    unit = _user(request).org_unit
    agency = unit.agency if unit is not None else None
    if agency is not None:
        return HttpResponseRedirect(reverse("calendar:agency_week", args=[agency.pk]))
    agencies = OrgUnit.objects.agencies().active().order_by("path")
    return render(request, "calendar/index.html", {"agencies": agencies})


@require_GET
@official_required
def agency_week(request: HttpRequest, agency_id: int) -> HttpResponse:
    """The published weekly schedule of an agency."""
    agency = get_object_or_404(OrgUnit, pk=agency_id, is_agency=True)
    monday, error = _week_param(request)
    events = selectors.agency_week(agency, monday, request.user)
    context = _week_context(
        request,
        events,
        monday,
        error,
        heading=_("Lịch công tác tuần của %(agency)s") % {"agency": agency.name},
        subject=agency,
        ics_url=reverse("api:week_ics")
        + f"?agency={agency.pk}&week={selectors.week_label(monday)}",
        is_office=services.is_office(request.user, agency),
        can_draft=services.can_draft(request.user, agency),
        agencies=OrgUnit.objects.agencies().active().order_by("path"),
    )
    return render(request, "calendar/week.html", context, status=422 if error else 200)


@require_GET
@official_required
def person_week(request: HttpRequest, user_id: int) -> HttpResponse:
    """A leader's (or any official's) week: what they chair or attend."""
    person = get_object_or_404(User, pk=user_id, kind=User.Kind.OFFICIAL)
    monday, error = _week_param(request)
    events = selectors.leader_week(person, monday, request.user)
    label = selectors.week_label(monday)
    context = _week_context(
        request,
        events,
        monday,
        error,
        heading=_("Lịch công tác tuần của %(person)s") % {"person": person},
        subject=person,
        ics_url=reverse("api:week_ics") + f"?leader={person.pk}&week={label}",
        show_state=True,
    )
    return render(request, "calendar/week.html", context, status=422 if error else 200)


@require_GET
@official_required
def unit_week(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A unit's week: the events it prepares or attends."""
    unit = get_object_or_404(OrgUnit, pk=unit_id)
    monday, error = _week_param(request)
    events = selectors.unit_week(unit, monday, request.user)
    label = selectors.week_label(monday)
    context = _week_context(
        request,
        events,
        monday,
        error,
        heading=_("Lịch công tác tuần của %(unit)s") % {"unit": unit.name},
        subject=unit,
        ics_url=reverse("api:week_ics") + f"?unit={unit.pk}&week={label}",
        show_state=True,
    )
    return render(request, "calendar/week.html", context, status=422 if error else 200)


@require_GET
@official_required
def manage(request: HttpRequest) -> HttpResponse:
    """Every event of a week the official may see, drafts and cancelled ones too."""
    monday, error = _week_param(request)
    events = selectors.in_week(request.user, monday)
    context = _week_context(request, events, monday, error, events=events)
    return render(request, "calendar/manage.html", context, status=422 if error else 200)


def _conflicts_context(exc: services.ConflictError | None) -> dict[str, Any]:
    if exc is None:
        return {"conflicts": [], "needs_confirmation": False}
    return {"conflicts": exc.conflicts, "needs_confirmation": exc.needs_confirmation}


def _apply_errors(form: EventForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_http_methods(["GET", "POST"])
@official_required
def event_new(request: HttpRequest) -> HttpResponse:
    """Draft an event for an agency (the official's own by default)."""
    user = _user(request)
    agency_id = request.POST.get("agency") or request.GET.get("agency")
    if agency_id:
        agency = get_object_or_404(OrgUnit, pk=agency_id, is_agency=True)
    elif user.org_unit is not None and user.org_unit.agency is not None:
        agency = user.org_unit.agency
    else:
        raise PermissionDenied(_("Hãy chọn cơ quan để lập lịch."))
    if not services.can_draft(user, agency):
        raise PermissionDenied(_("Bạn không lập lịch công tác cho cơ quan này."))
    conflict: services.ConflictError | None = None
    status = 200
    if request.method == "POST":
        form = EventForm(request.POST, agency=agency)
        if form.is_valid():
            try:
                event = services.create_event(
                    agency=agency,
                    data=form.to_data(),
                    by=user,
                    confirm=form.cleaned_data["confirm"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            except services.ConflictError as exc:
                conflict = exc
            else:
                messages.success(request, _("Đã lưu dự thảo lịch công tác."))
                return HttpResponseRedirect(reverse("calendar:event", args=[event.pk]))
        status = 409 if conflict else 422
    else:
        form = EventForm(agency=agency, initial={"preparing_unit": user.org_unit})
    context = {"form": form, "agency": agency, "event": None, **_conflicts_context(conflict)}
    return render(request, "calendar/event_form.html", context, status=status)


def _visible_event(request: HttpRequest, event_id: int) -> Event:
    events = Event.objects.select_related("agency", "room", "chair", "preparing_unit")
    return get_visible_or_404(events, request.user, pk=event_id)


def _people_of(event: Event) -> list[int]:
    ids = list(event.participants.values_list("pk", flat=True))
    return [*ids, event.chair_id] if event.chair_id else ids


@require_http_methods(["GET", "POST"])
@official_required
def event_edit(request: HttpRequest, event_id: int) -> HttpResponse:
    """Change an event (drafters before publication, the office afterwards)."""
    user = _user(request)
    event = _visible_event(request, event_id)
    if not services.can_edit(user, event):
        raise PermissionDenied(_("Bạn không sửa được sự kiện này."))
    conflict: services.ConflictError | None = None
    status = 200
    if request.method == "POST":
        form = EventForm(request.POST, agency=event.agency, keep_people=_people_of(event))
        if form.is_valid():
            try:
                services.update_event(
                    event, data=form.to_data(), by=user, confirm=form.cleaned_data["confirm"]
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            except services.ConflictError as exc:
                conflict = exc
            except services.StateError as exc:
                messages.error(request, str(exc))
                return HttpResponseRedirect(reverse("calendar:event", args=[event.pk]))
            else:
                messages.success(request, _("Đã cập nhật sự kiện."))
                return HttpResponseRedirect(reverse("calendar:event", args=[event.pk]))
        status = 409 if conflict else 422
    else:
        form = EventForm(
            agency=event.agency,
            keep_people=_people_of(event),
            initial={
                "title": event.title,
                "content": event.content,
                "starts_at": event.starts_at,
                "ends_at": event.ends_at,
                "room": event.room,
                "location": event.location,
                "chair": event.chair,
                "participants": list(event.participants.all()),
                "participant_units": list(event.participant_units.all()),
                "guests": event.guests,
                "preparing_unit": event.preparing_unit,
            },
        )
    context = {"form": form, "agency": event.agency, "event": event, **_conflicts_context(conflict)}
    return render(request, "calendar/event_form.html", context, status=status)


@require_GET
@official_required
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    """An event with its people, its state and the actions the official may take."""
    user = _user(request)
    event = _visible_event(request, event_id)
    context = {
        "event": event,
        "can_edit": services.can_edit(user, event),
        "is_office": services.is_office(user, event.agency),
        "cancel_form": CancelForm(),
        "week": selectors.week_label(selectors.week_of(timezone.localtime(event.starts_at).date())),
    }
    return render(request, "calendar/event_detail.html", context)


_ACTIONS = {
    "submit": (services.submit_event, gettext_noop("Đã trình duyệt.")),
    "publish": (services.publish_event, gettext_noop("Đã công bố trên lịch công tác tuần.")),
    "cancel": (services.cancel_event, gettext_noop("Đã hủy sự kiện.")),
}


@require_POST
@official_required
def event_action(request: HttpRequest, event_id: int, action: str) -> HttpResponse:
    """Submit, publish or cancel an event, then back to its page."""
    event = _visible_event(request, event_id)
    function, done = _ACTIONS[action]
    kwargs: dict[str, Any] = {}
    if action == "cancel":
        kwargs["reason"] = request.POST.get("reason", "")
    try:
        function(event, by=_user(request), **kwargs)
    except (services.StateError, services.ConflictError) as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _(done))
    return HttpResponseRedirect(reverse("calendar:event", args=[event.pk]))


@require_http_methods(["GET", "POST"])
@official_required
def rooms(request: HttpRequest) -> HttpResponse:
    """The rooms of an agency; its office adds rooms here."""
    user = _user(request)
    agency_id = request.POST.get("agency") or request.GET.get("agency")
    agency: OrgUnit | None
    if agency_id:
        agency = get_object_or_404(OrgUnit, pk=agency_id, is_agency=True)
    elif user.org_unit is not None and user.org_unit.agency is not None:
        agency = user.org_unit.agency
    else:
        agency = OrgUnit.objects.agencies().order_by("path").first()
    if agency is None:
        raise PermissionDenied(_("Chưa có cơ quan nào."))
    is_office = services.is_office(user, agency)
    status = 200
    form = RoomForm()
    if request.method == "POST":
        if not is_office:
            raise PermissionDenied(_("Chỉ văn phòng, lãnh đạo cơ quan quản lý phòng họp."))
        form = RoomForm(request.POST)
        if form.is_valid():
            try:
                services.create_room(agency=agency, by=user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Đã thêm phòng họp."))
                return HttpResponseRedirect(reverse("calendar:rooms") + f"?agency={agency.pk}")
        status = 422
    context = {
        "agency": agency,
        "rooms": Room.objects.visible_to(user).filter(agency=agency).order_by("name"),
        "is_office": is_office,
        "form": form,
        "agencies": OrgUnit.objects.agencies().active().order_by("path"),
    }
    return render(request, "calendar/rooms.html", context, status=status)
