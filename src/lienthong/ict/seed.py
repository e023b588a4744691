"""The catalogues kept as data: software kinds and the information-security checklist.

Migration 0002 writes them on a new installation (with its own copy, as migrations do); this
module fills them again when the tables are empty (a flushed test database, the demo). Rows
edited in the admin are never touched.

The checklist follows the spirit of Chỉ thị 14/CT-TTg (07/6/2019) on strengthening network
security and the Law on Network Information Security (86/2015/QH13) with Decree 85/2016/NĐ-CP
(classifying information systems by level). The texts of Chỉ thị 14/CT-TTg, Decree 85/2016 and
Circular 12/2022/TT-BTTTT were not available to check, so the items citing them are seeded with
`source_confirmed = False`. Four items are cited from the Law 86/2015/QH13 itself, whose text
was checked (shared/data/legal/86-2015-qh13.md), and are seeded confirmed.
"""

from __future__ import annotations

from lienthong.ict.models import ChecklistItem, Software

SOFTWARE = [
    ("email", "Thư điện tử công vụ"),
    ("website", "Cổng/trang thông tin điện tử"),
    ("motcua", "Một cửa điện tử"),
    ("qlvb", "Quản lý văn bản và điều hành"),
    ("ketoan", "Kế toán, tài chính"),
    ("nhansu", "Quản lý cán bộ, công chức"),
    ("taisan", "Quản lý tài sản"),
    ("chukyso", "Chữ ký số"),
]

CT14 = "Chỉ thị 14/CT-TTg ngày 07/6/2019"
LAW86 = "Luật An toàn thông tin mạng 86/2015/QH13"
#: Citations checked against the law's text, per item code (seeded confirmed); the other
#: items keep their first, unchecked citation.
CONFIRMED = {
    "phan-loai-cap-do": LAW86 + ", Điều 21; khoản 1 Điều 22",
    "diet-virus": LAW86 + ", khoản 1 Điều 11",
    "chuyen-trach": LAW86 + ", điểm b khoản 2 Điều 25",
    "danh-gia-dinh-ky": LAW86 + ", khoản 3 Điều 22; khoản 3 Điều 23",
}
#: (code, title, first citation) of every item, in order; see CONFIRMED for checked citations.
CHECKLIST = [
    (
        "phan-loai-cap-do",
        "Hệ thống thông tin đã được xác định cấp độ và phê duyệt hồ sơ cấp độ",
        "Nghị định 85/2016/NĐ-CP; " + CT14,
    ),
    (
        "diet-virus",
        "Tất cả máy tính được cài phần mềm phòng chống mã độc có bản quyền, cập nhật",
        CT14,
    ),
    ("tuong-lua", "Mạng nội bộ có tường lửa và thiết bị/phần mềm phát hiện xâm nhập", CT14),
    ("sao-luu", "Dữ liệu quan trọng được sao lưu định kỳ và thử khôi phục", CT14),
    ("dao-tao", "Cán bộ được phổ biến, đào tạo kỹ năng an toàn thông tin hằng năm", CT14),
    ("ung-cuu-su-co", "Có phương án ứng cứu sự cố an toàn thông tin mạng được phê duyệt", CT14),
    ("nhat-ky", "Nhật ký hệ thống được lưu giữ tối thiểu 03 tháng", CT14),
    ("chuyen-trach", "Có bộ phận hoặc cán bộ chuyên trách an toàn thông tin", CT14),
    ("danh-gia-dinh-ky", "Kiểm tra, đánh giá an toàn thông tin định kỳ", CT14),
    ("mat-khau", "Áp dụng chính sách mật khẩu và xác thực hai lớp cho quản trị", CT14),
    ("cap-nhat-ban-va", "Cập nhật bản vá hệ điều hành và phần mềm kịp thời", CT14),
    ("giam-sat", "Kết nối giám sát an toàn thông tin với đơn vị chuyên trách của tỉnh", CT14),
]


def ensure_catalogue() -> None:
    """Write the software kinds and the checklist items where their tables are empty."""
    if not Software.objects.exists():
        Software.objects.bulk_create(
            Software(code=code, name=name, order=i) for i, (code, name) in enumerate(SOFTWARE)
        )
    if not ChecklistItem.objects.exists():
        for i, (code, title, source) in enumerate(CHECKLIST):
            ChecklistItem.objects.create(
                code=code,
                title=title,
                source=CONFIRMED.get(code, source),
                source_confirmed=code in CONFIRMED,
                order=i,
            )
