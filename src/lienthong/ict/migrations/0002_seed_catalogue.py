"""Seed the software catalogue and the security checklist (copied from `ict.seed`, so that
later edits of the defaults do not change what this migration did)."""

from django.db import migrations

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
CHECKLIST = [
    ("phan-loai-cap-do", "Hệ thống thông tin đã được xác định cấp độ và phê duyệt hồ sơ cấp độ",
     "Nghị định 85/2016/NĐ-CP; " + CT14),
    ("diet-virus", "Tất cả máy tính được cài phần mềm phòng chống mã độc có bản quyền, cập nhật",
     CT14),
    ("tuong-lua", "Mạng nội bộ có tường lửa và thiết bị/phần mềm phát hiện xâm nhập", CT14),
    ("sao-luu", "Dữ liệu quan trọng được sao lưu định kỳ và thử khôi phục", CT14),
    ("dao-tao", "Cán bộ được phổ biến, đào tạo kỹ năng an toàn thông tin hằng năm", CT14),
    ("ung-cuu-su-co", "Có phương án ứng cứu sự cố an toàn thông tin mạng được phê duyệt",
     CT14),
    ("nhat-ky", "Nhật ký hệ thống được lưu giữ tối thiểu 03 tháng", CT14),
    ("chuyen-trach", "Có bộ phận hoặc cán bộ chuyên trách an toàn thông tin", CT14),
    ("danh-gia-dinh-ky", "Kiểm tra, đánh giá an toàn thông tin định kỳ", CT14),
    ("mat-khau", "Áp dụng chính sách mật khẩu và xác thực hai lớp cho quản trị", CT14),
    ("cap-nhat-ban-va", "Cập nhật bản vá hệ điều hành và phần mềm kịp thời", CT14),
    ("giam-sat", "Kết nối giám sát an toàn thông tin với đơn vị chuyên trách của tỉnh", CT14),
]


def seed(apps, schema_editor):
    Software = apps.get_model("ict", "Software")
    ChecklistItem = apps.get_model("ict", "ChecklistItem")
    for i, (code, name) in enumerate(SOFTWARE):
        Software.objects.get_or_create(code=code, defaults={"name": name, "order": i})
    for i, (code, title, source) in enumerate(CHECKLIST):
        ChecklistItem.objects.get_or_create(
            code=code,
            defaults={"title": title, "source": source, "source_confirmed": False, "order": i},
        )


class Migration(migrations.Migration):
    dependencies = [("ict", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
