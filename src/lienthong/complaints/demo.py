"""Demo cases of the complaints module, at Sở Tư pháp (the demo `lanhdao` leads it).

Run by `lienthong seed --demo` after the kernel's demo data; written through the services, dated
back from today, so that the list, a case in each state, the reception register, the public
lookup and the statistics show something: `congdan` finds two of their own under the public
lookup and their cases under `/khieu-nai/`, `lanhdao` one to accept, and the verifier
`demo.xacminh.stp` (a specialist of the Sở itself, created here with the demo password: the
verification step belongs to the agency's specialists) two to verify. Idempotent: once the
agency has a case, nothing is added.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.accounts import services as accounts_services
from lienthong.accounts.models import Role
from lienthong.complaints import services
from lienthong.complaints.models import Channel, Complaint, Complexity, Field, Kind, Outcome
from lienthong.core.models import OrgUnit
from lienthong.core.seed import demo_data

AGENCY = "Sở Tư pháp tỉnh Bình Dương"
VERIFIER = "demo.xacminh.stp"


def _ago(days: int, hour: int = 9) -> datetime.datetime:
    moment = timezone.localtime() - datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


@transaction.atomic
def seed_demo() -> list[str]:
    """Create the demo cases once (all or none); returns the lines to print."""
    users = get_user_model().objects
    agency = OrgUnit.objects.filter(name=AGENCY).first()
    leader = users.filter(username="lanhdao").first()
    citizen = users.filter(username="congdan").first()
    admin = users.filter(username="admin", is_superuser=True).first()
    if agency is None or leader is None or citizen is None or admin is None:
        return [_("Khiếu nại, tố cáo: thiếu cơ quan hoặc tài khoản demo, bỏ qua đơn mẫu.")]
    if Complaint.objects.filter(agency=agency).exists():
        return []
    verifier = users.filter(username=VERIFIER).first() or accounts_services.create_official(
        username=VERIFIER,
        full_name="Đặng Thu Hà",
        org_unit=agency,
        by=admin,
        password=next(u["password"] for u in demo_data()["users"] if u["username"] == "lanhdao"),
        position="Chuyên viên thanh tra, Sở Tư pháp",
        roles=[Role.SPECIALIST],
    )
    own = services.Filer(
        name=citizen.full_name or "Công dân demo",
        address="12 đường Yersin, phường Phú Cường, Thủ Dầu Một",
        personal_id=citizen.personal_id or "",
        email=citizen.email,
        phone="0912345678",
    )

    # 1. Filed online by `congdan` two days ago: waits for the leader's acceptance.
    services.file_case(
        kind=Kind.COMPLAINT,
        agency=agency,
        field=Field.JUSTICE,
        channel=Channel.ONLINE,
        filer=own,
        subject="Khiếu nại việc từ chối chứng thực hợp đồng mua bán nhà",
        content="Phòng công chứng từ chối chứng thực mà không nêu lý do bằng văn bản.",
        respondent="Phòng Công chứng số 1",
        known_on=_ago(20).date(),
        by=citizen,
        at=_ago(2),
    )

    # 2. A denunciation brought to the reception desk: accepted and with the verifier.
    reception = services.record_reception(
        agency=agency,
        person_name="Nguyễn Văn Tâm",
        address="45 đường 30/4, phường Chánh Nghĩa, Thủ Dầu Một",
        content="Tố cáo cán bộ tư pháp xã nhận tiền khi đăng ký khai sinh.",
        requests="Đề nghị xác minh, xử lý cán bộ vi phạm.",
        result="Hướng dẫn viết đơn tố cáo; đơn được tiếp nhận tại chỗ.",
        by=leader,
        at=_ago(12),
    )
    denunciation = services.file_case(
        kind=Kind.DENUNCIATION,
        agency=agency,
        field=Field.JUSTICE,
        channel=Channel.RECEPTION,
        filer=services.Filer(name="Nguyễn Văn Tâm", address=reception.address),
        subject="Tố cáo cán bộ tư pháp xã nhận tiền khi đăng ký khai sinh",
        content="Ngày 02/10 cán bộ tư pháp xã yêu cầu nộp 500.000 đồng ngoài lệ phí.",
        respondent="Cán bộ tư pháp – hộ tịch xã",
        reception=reception,
        by=leader,
        at=_ago(12),
    )
    services.accept(complaint=denunciation, by=leader, at=_ago(10))
    services.assign(complaint=denunciation, handler=verifier, by=leader, at=_ago(10))

    # 3. A complex denunciation, extended once by written notice.
    extended = services.file_case(
        kind=Kind.DENUNCIATION,
        agency=agency,
        field=Field.ADMINISTRATION,
        channel=Channel.POST,
        filer=services.Filer(name="Lê Thị Hồng", address="Khu phố 3, phường Hiệp Thành"),
        subject="Tố cáo việc cấp trùng giấy xác nhận tình trạng hôn nhân",
        content="Một người được cấp hai giấy xác nhận tình trạng hôn nhân trong cùng tháng.",
        by=leader,
        at=_ago(25),
    )
    services.accept(complaint=extended, by=leader, at=_ago(23))
    services.assign(complaint=extended, handler=verifier, by=leader, at=_ago(23))
    services.extend(
        complaint=extended,
        by=leader,
        complexity=Complexity.COMPLEX,
        notice_number="15/TB-STP",
        reason="Cần xác minh tại hai xã và đối chiếu sổ hộ tịch lưu trữ.",
        at=_ago(3),
    )

    # 4. `congdan`'s earlier complaint, concluded: partly right.
    concluded = services.file_case(
        kind=Kind.COMPLAINT,
        agency=agency,
        field=Field.JUSTICE,
        channel=Channel.ONLINE,
        filer=own,
        subject="Khiếu nại thời hạn cấp phiếu lý lịch tư pháp",
        content="Phiếu lý lịch tư pháp trả chậm 7 ngày so với giấy hẹn, không có thư xin lỗi.",
        known_on=_ago(60).date(),
        by=citizen,
        at=_ago(45),
    )
    services.accept(complaint=concluded, by=leader, at=_ago(43))
    services.assign(complaint=concluded, handler=verifier, by=leader, at=_ago(43))
    services.report(
        complaint=concluded,
        by=verifier,
        text="Hồ sơ trả chậm do chờ kết quả tra cứu liên ngành; bộ phận một cửa không gửi "
        "thư xin lỗi.",
        at=_ago(25),
    )
    services.conclude(
        complaint=concluded,
        by=leader,
        outcome=Outcome.PARTLY,
        conclusion="Khiếu nại đúng một phần: yêu cầu bộ phận một cửa xin lỗi bằng văn bản và "
        "rút kinh nghiệm.",
        number="102/QĐ-STP",
        at=_ago(20),
    )

    # 5. A petition answered.
    petition = services.file_case(
        kind=Kind.PETITION,
        agency=agency,
        field=Field.ADMINISTRATION,
        channel=Channel.POST,
        filer=services.Filer(name="Trần Quốc Việt", address="Phường Phú Hòa, Thủ Dầu Một"),
        subject="Kiến nghị mở thêm quầy chứng thực vào sáng thứ Bảy",
        content="Người lao động khó sắp xếp thời gian đến trong giờ hành chính.",
        by=leader,
        at=_ago(30),
    )
    services.accept(complaint=petition, by=leader, at=_ago(29))
    services.assign(complaint=petition, handler=verifier, by=leader, at=_ago(29))
    services.report(
        complaint=petition, by=verifier, text="Đề xuất thử nghiệm quầy sáng thứ Bảy.", at=_ago(22)
    )
    services.conclude(
        complaint=petition,
        by=leader,
        outcome=Outcome.ANSWERED,
        conclusion="Sở sẽ bố trí quầy chứng thực sáng thứ Bảy từ quý tới.",
        number="88/STP-VP",
        at=_ago(18),
    )
    return [
        _(
            "Khiếu nại, tố cáo: 5 đơn mẫu tại %(agency)s (1 chờ thụ lý, 2 đang xác minh, 2 đã "
            "kết luận) và 1 lượt tiếp công dân."
        )
        % {"agency": agency.short_name or agency.name}
    ]
