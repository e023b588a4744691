"""Demo data of the work calendar: rooms and two weeks of events for two demo agencies.

`seed_demo()` (run by `lienthong seed --demo`) gives the demo Sở Tư pháp and the Văn phòng
UBND tỉnh a meeting room and a video-conference room each, and puts this week's and next
week's meetings on their calendars through the services — chaired by the demo leader
(`lanhdao`) where he belongs, published by the demo administrator, one left as a draft and one
cancelled, so every state shows. Idempotent: it does nothing once the agencies have events.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.accounts.models import User
from lienthong.core.context import acting
from lienthong.core.models import OrgUnit
from lienthong.documents.calendar import selectors, services
from lienthong.documents.calendar.models import Event, Room

#: (agency code, leader username or None, rooms) — codes from core/data/demo_agencies.json.
AGENCIES = (
    ("000.00.05.H99", "lanhdao"),
    ("000.00.01.H99", None),
)

#: (day of week 0–6 counted from this Monday, start hour, hours, title, room index, state).
SCHEDULE = (
    (0, 8, 1, "Họp giao ban đầu tuần", 0, "published"),
    (0, 14, 2, "Làm việc với Phòng Hành chính tư pháp về cải cách thủ tục", 0, "published"),
    (1, 8, 3, "Hội nghị trực tuyến triển khai Đề án 06", 1, "published"),
    (2, 9, 2, "Tiếp công dân định kỳ", None, "published"),
    (3, 14, 2, "Họp Hội đồng thi đua, khen thưởng", 0, "cancelled"),
    (4, 8, 2, "Kiểm tra công tác văn thư, lưu trữ", None, "published"),
    (7, 8, 1, "Họp giao ban đầu tuần", 0, "published"),
    (8, 14, 3, "Hội nghị sơ kết công tác quý IV", 1, "published"),
    (10, 9, 2, "Họp chuẩn bị tổng kết năm", 0, "draft"),
)


def _rooms(agency: OrgUnit, by: User) -> list[Room]:
    rooms = list(Room.objects.filter(agency=agency).order_by("kind", "pk"))
    if rooms:
        return rooms
    return [
        services.create_room(
            agency=agency, name="Phòng họp số 1", capacity=40, location="Tầng 3", by=by
        ),
        services.create_room(
            agency=agency,
            name="Phòng họp trực tuyến",
            kind=Room.Kind.VIDEO,
            capacity=30,
            location="Tầng 2",
            video_link=f"https://hop-truc-tuyen.example.vn/{agency.code}",
            by=by,
        ),
    ]


def seed_demo() -> list[str]:
    """Rooms and two weeks of events (idempotent); returns the lines to print."""
    user_model = User
    admin = user_model.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if admin is None:
        return [_("Lịch công tác: chưa có quản trị viên, bỏ qua.")]
    monday = selectors.current_week()
    tz = timezone.get_current_timezone()
    lines: list[str] = []
    with acting(via="lienthong seed --demo"):
        for code, leader_name in AGENCIES:
            agency = OrgUnit.objects.filter(code=code).first()
            if agency is None or Event.objects.filter(agency=agency).exists():
                continue
            leader = (
                user_model.objects.filter(username=leader_name).first() if leader_name else None
            )
            rooms = _rooms(agency, admin)
            count = 0
            for day, hour, hours, title, room_index, state in SCHEDULE:
                start = datetime.datetime.combine(
                    monday + datetime.timedelta(days=day), datetime.time(hour), tzinfo=tz
                )
                data = services.EventData(
                    title=title,
                    starts_at=start,
                    ends_at=start + datetime.timedelta(hours=hours),
                    room=rooms[room_index] if room_index is not None else None,
                    location="" if room_index is not None else _("Trụ sở cơ quan"),
                    chair=leader,
                    guests=_("Đại diện các sở, ngành liên quan") if room_index == 1 else "",
                )
                event = services.create_event(agency=agency, data=data, by=admin, confirm=True)
                if state != "draft":
                    services.publish_event(event, by=admin)
                if state == "cancelled":
                    services.cancel_event(event, by=admin, reason=_("Lãnh đạo bận việc đột xuất"))
                count += 1
            lines.append(
                _("Lịch công tác: %(n)d sự kiện, %(rooms)d phòng họp cho %(agency)s.")
                % {"n": count, "rooms": len(rooms), "agency": agency.name}
            )
    return lines or [_("Lịch công tác: đã có dữ liệu demo.")]
