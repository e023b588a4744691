"""Seed the document types of Decree 30/2020/NĐ-CP, Appendix III, plus công văn."""

from django.db import migrations

TYPES = [
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


def seed(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    for position, (code, name) in enumerate(TYPES, start=1):
        DocumentType.objects.update_or_create(
            code=code, defaults={"name": name, "has_code": True, "position": position}
        )
    DocumentType.objects.update_or_create(
        code="CV", defaults={"name": "Công văn", "has_code": False, "position": 0}
    )


def unseed(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    DocumentType.objects.filter(code__in=[code for code, _name in TYPES] + ["CV"]).delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
