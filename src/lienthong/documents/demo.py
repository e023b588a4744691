"""Demo data of the documents module: a few hundred incoming documents in the demo agencies.

`seed_demo()` (run by `lienthong seed --demo`) registers 240 incoming documents spread over
the demo agencies that have divisions (Văn phòng UBND tỉnh, Sở Tư pháp, UBND TP Thủ Dầu
Một…), through the same services a clerk uses (arrival numbers, leaders' tasks, index), and
assigns about half of them to a division with a deadline (some already past, so the overdue
marker shows), completing some. It also gives the demo clerk (`vanthu`) and leader
(`lanhdao`) the same roles in Sở Tư pháp so that the whole path can be tried, and leaves two
electronic documents waiting for the clerk. Idempotent: nothing is added once the demo
agencies have incoming documents.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.accounts.models import Role, RoleAssignment
from lienthong.core.models import OrgUnit
from lienthong.documents import services
from lienthong.documents.catalog import ensure_document_types
from lienthong.documents.models import DocumentType, IncomingDocument, Secrecy

COUNT = 240
#: Sở Tư pháp of the demo (core/data/demo_agencies.json).
JUSTICE_CODE = "000.00.05.H99"

ISSUERS = [
    "Văn phòng Chính phủ",
    "Bộ Nội vụ",
    "Bộ Tư pháp",
    "Bộ Tài chính",
    "Ủy ban nhân dân tỉnh Bình Dương",
    "Sở Tài chính tỉnh Bình Dương",
    "Sở Y tế tỉnh Bình Dương",
    "Thanh tra tỉnh Bình Dương",
]
SUBJECTS = [
    "Về việc triển khai công tác cải cách hành chính năm {year}",
    "Về việc báo cáo kết quả thực hiện chuyển đổi số quý {q}",
    "Kế hoạch kiểm tra công tác văn thư, lưu trữ năm {year}",
    "Về việc góp ý dự thảo Nghị quyết của Hội đồng nhân dân tỉnh",
    "Hướng dẫn thực hiện chế độ báo cáo thống kê ngành tư pháp",
    "Về việc tăng cường phòng, chống thiên tai, tìm kiếm cứu nạn",
    "Thông báo kết luận của Chủ tịch Ủy ban nhân dân tỉnh tại cuộc họp giao ban",
    "Về việc rà soát thủ tục hành chính thuộc thẩm quyền giải quyết",
    "Giấy mời dự hội nghị sơ kết công tác phổ biến, giáo dục pháp luật",
    "Về việc cung cấp thông tin phục vụ công tác thanh tra",
]
TYPES = ["CV", "CV", "CV", "KH", "TB", "HD", "QĐ", "GM", "BC"]


def _ensure_roles(justice: OrgUnit) -> list[str]:
    users = get_user_model().objects.filter(username__in=["vanthu", "lanhdao"], kind="official")
    lines = []
    for user in users:
        role = Role.CLERK if user.username == "vanthu" else Role.LEADER
        _grant, created = RoleAssignment.objects.get_or_create(
            user=user, role=role, org_unit=justice
        )
        if created:
            lines.append(
                _("Văn bản: %(user)s có vai trò %(role)s tại %(unit)s.")
                % {"user": user.username, "role": role.label, "unit": justice.name}
            )
    return lines


def seed_demo(count: int = COUNT) -> list[str]:
    """Register the demo incoming documents (idempotent); returns the lines to print."""
    ensure_document_types()
    agencies = [
        unit
        for unit in OrgUnit.objects.agencies().filter(code__isnull=False).order_by("path")
        if unit.children.filter(is_agency=False).exists()
    ]
    if not agencies:
        return [_("Văn bản: không có cơ quan demo có phòng ban, bỏ qua.")]
    justice = OrgUnit.objects.filter(code=JUSTICE_CODE).first()
    lines = _ensure_roles(justice) if justice is not None else []
    if IncomingDocument.objects.filter(agency__in=agencies).exists():
        return [*lines, _("Văn bản: dữ liệu demo đã có.")]
    rng = random.Random(2026)
    types = {t.code: t for t in DocumentType.objects.all()}
    leader = (
        get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    )
    today = timezone.localdate()
    made = assigned = done = 0
    for n in range(count):
        agency = agencies[n % len(agencies)]
        type_code = rng.choice(TYPES)
        issued = today - datetime.timedelta(days=rng.randint(1, 120))
        subject = rng.choice(SUBJECTS).format(year=today.year, q=rng.randint(1, 4))
        data = services.IncomingData(
            issuer=rng.choice(ISSUERS),
            subject=subject,
            document_type=types[type_code],
            code_number=str(rng.randint(1, 4000)),
            code_notation=f"{type_code}-UBND" if type_code != "CV" else "UBND-VP",
            issued_date=issued,
            urgency=rng.choice([0, 0, 0, 0, 1, 2]),
            secrecy=Secrecy.CONFIDENTIAL if n % 37 == 0 else Secrecy.NORMAL,
            recipient=agency.name,
        )
        document = services.register_incoming(
            agency=agency,
            data=data,
            confirm_duplicate=True,
            by=None,  # type: ignore[arg-type]
        )
        made += 1
        divisions = list(agency.children.filter(is_agency=False).order_by("pk"))
        if leader is None or not divisions or n % 2:
            continue
        lead = divisions[n % len(divisions)]
        others = [d for d in divisions if d != lead][:1]
        services.assign(
            document,
            lead_unit=lead,
            cooperating=others if n % 4 == 0 else [],
            deadline=today + datetime.timedelta(days=rng.randint(1, 20)),
            instruction=_("Đề nghị đơn vị nghiên cứu, tham mưu xử lý."),
            by=leader,
        )
        assigned += 1
        if n % 6 == 0:
            services.complete(document, result=_("Đã tham mưu văn bản trả lời."), by=leader)
            done += 1
        elif n % 10 == 2:  # past its deadline: the overdue marker shows
            IncomingDocument.objects.filter(pk=document.pk).update(
                deadline=timezone.now() - datetime.timedelta(days=2)
            )
    lines.append(
        _("Văn bản: %(made)s văn bản đến (%(assigned)s đã phân công, %(done)s đã xong).")
        % {"made": made, "assigned": assigned, "done": done}
    )
    return lines
