"""`ProcedureComponent.sensitive`: ID documents are sensitive personal data (their downloads
by officials are logged by the privacy app). Existing components whose name names an ID
document are marked; administrators correct the rest in the catalogue admin."""

from django.db import migrations, models

from lienthong.core.text import fold

#: Folded words that name an identity document (căn cước, CMND, hộ chiếu, định danh điện tử).
ID_WORDS = (
    "can cuoc",
    "cccd",
    "chung minh nhan dan",
    "cmnd",
    "ho chieu",
    "dinh danh dien tu",
)


def mark_id_documents(apps, schema_editor):
    Component = apps.get_model("onestop", "ProcedureComponent")
    ids = [
        pk
        for pk, name in Component.objects.values_list("pk", "name").iterator()
        if any(word in fold(name) for word in ID_WORDS)
    ]
    for start in range(0, len(ids), 500):
        Component.objects.filter(pk__in=ids[start : start + 500]).update(sensitive=True)


class Migration(migrations.Migration):
    dependencies = [
        ("onestop", "0005_drop_indexes_covered_by_stats"),
    ]

    operations = [
        migrations.AddField(
            model_name="procedurecomponent",
            name="sensitive",
            field=models.BooleanField(
                default=False,
                help_text="Ảnh căn cước, giấy tờ tùy thân: mỗi lần cán bộ tải tệp đều được ghi nhật ký.",
                verbose_name="dữ liệu nhạy cảm",
            ),
        ),
        migrations.RunPython(mark_id_documents, migrations.RunPython.noop),
    ]
