"""The document types of Decree 30/2020/NĐ-CP, Appendix III, plus công văn (no type code).

Migration 0002 seeds the same list (migrations keep their own copy); `ensure_document_types`
restores it where a test or an operator emptied the table.
"""

from __future__ import annotations

from lienthong.documents.models import DocumentType

TYPES: list[tuple[str, str]] = [
    ("NQ", "Nghị quyết"),
    ("QĐ", "Quyết định"),
    ("CT", "Chỉ thị"),
    ("QC", "Quy chế"),
    ("QyĐ", "Quy định"),
    ("TC", "Thông cáo"),
    ("TB", "Thông báo"),
    ("HD", "Hướng dẫn"),
    ("CTr", "Chương trình"),
    ("KH", "Kế hoạch"),
    ("PA", "Phương án"),
    ("ĐA", "Đề án"),
    ("DA", "Dự án"),
    ("BC", "Báo cáo"),
    ("BB", "Biên bản"),
    ("TTr", "Tờ trình"),
    ("HĐ", "Hợp đồng"),
    ("CĐ", "Công điện"),
    ("BGN", "Bản ghi nhớ"),
    ("BTT", "Bản thỏa thuận"),
    ("GUQ", "Giấy ủy quyền"),
    ("GM", "Giấy mời"),
    ("GGT", "Giấy giới thiệu"),
    ("GNP", "Giấy nghỉ phép"),
    ("PG", "Phiếu gửi"),
    ("PC", "Phiếu chuyển"),
    ("PB", "Phiếu báo"),
]
CONG_VAN = ("CV", "Công văn")


def ensure_document_types() -> int:
    """Create the missing types of the list (existing ones are left as edited); count made."""
    existing = set(DocumentType.objects.values_list("code", flat=True))
    missing = [
        DocumentType(code=code, name=name, has_code=True, position=position)
        for position, (code, name) in enumerate(TYPES, start=1)
        if code not in existing
    ]
    if CONG_VAN[0] not in existing:
        missing.append(DocumentType(code=CONG_VAN[0], name=CONG_VAN[1], has_code=False, position=0))
    DocumentType.objects.bulk_create(missing)
    return len(missing)
