"""Checklist sources checked against the text of Law 86/2015/QH13 (Luật An toàn thông tin
mạng): four items get the law's article and clause and are marked confirmed. Only rows still
holding the first seeded citation, unconfirmed, change (rows edited in the admin stay); the
reverse puts the first citation back on rows that still hold the new one."""

from django.db import migrations

CT14 = "Chỉ thị 14/CT-TTg ngày 07/6/2019"
LAW86 = "Luật An toàn thông tin mạng 86/2015/QH13"
# code: (first seeded citation, checked citation)
CHANGES = {
    "phan-loai-cap-do": (
        "Nghị định 85/2016/NĐ-CP; " + CT14,
        LAW86 + ", Điều 21; khoản 1 Điều 22",
    ),
    "diet-virus": (CT14, LAW86 + ", khoản 1 Điều 11"),
    "chuyen-trach": (CT14, LAW86 + ", điểm b khoản 2 Điều 25"),
    "danh-gia-dinh-ky": (CT14, LAW86 + ", khoản 3 Điều 22; khoản 3 Điều 23"),
}


def confirm(apps, schema_editor):
    item = apps.get_model("ict", "ChecklistItem")
    for code, (old, new) in CHANGES.items():
        item.objects.filter(code=code, source=old, source_confirmed=False).update(
            source=new, source_confirmed=True
        )


def unconfirm(apps, schema_editor):
    item = apps.get_model("ict", "ChecklistItem")
    for code, (old, new) in CHANGES.items():
        item.objects.filter(code=code, source=new, source_confirmed=True).update(
            source=old, source_confirmed=False
        )


class Migration(migrations.Migration):
    dependencies = [("ict", "0002_seed_catalogue")]

    operations = [migrations.RunPython(confirm, unconfirm)]
