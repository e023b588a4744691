"""Seed the consent purposes and the request time limits (data, editable in the admin)."""

import datetime

from django.db import migrations

ACK = (
    "Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15 và Nghị định 356/2025/NĐ-CP: xác nhận đã nhận "
    "yêu cầu trong 2 ngày làm việc (chưa xác nhận điều khoản)"
)
D13 = "Nghị định 13/2023/NĐ-CP"
LAW91 = (
    "Luật 91/2025/QH15 (chưa xác nhận thời hạn trong luật mới; giữ 72 giờ như "
    + D13
    + ", {article})"
)

PURPOSES = [
    (
        "dossier_handling",
        "Giải quyết thủ tục hành chính",
        "Tôi đồng ý để cơ quan nhà nước thu thập, xử lý dữ liệu cá nhân trong hồ sơ (kể cả "
        "ảnh giấy tờ tùy thân là dữ liệu nhạy cảm) để tiếp nhận, giải quyết và trả kết quả "
        "thủ tục hành chính; dữ liệu chỉ được dùng cho mục đích này và được lưu theo quy định "
        "về lưu trữ.",
        D13 + ", Điều 11; Nghị định 45/2020/NĐ-CP",
    ),
    (
        "notify_email",
        "Nhận thông báo qua thư điện tử",
        "Tôi đồng ý nhận thông báo về tình trạng hồ sơ qua địa chỉ thư điện tử đã cung cấp.",
        D13 + ", Điều 11",
    ),
    (
        "notify_sms",
        "Nhận thông báo qua tin nhắn SMS",
        "Tôi đồng ý nhận thông báo về tình trạng hồ sơ qua số điện thoại đã cung cấp.",
        D13 + ", Điều 11",
    ),
    (
        "once_only_reuse",
        "Dùng lại kết quả cho các hồ sơ sau (chỉ cung cấp một lần)",
        "Tôi đồng ý để kết quả giải quyết được lưu trong kho dữ liệu điện tử của tôi và dùng "
        "lại khi tôi nộp hồ sơ khác, không phải nộp lại.",
        D13 + ", Điều 11; Nghị định 45/2020/NĐ-CP, Điều 16",
    ),
    (
        "public_feedback",
        "Gửi phản ánh, kiến nghị công khai",
        "Tôi đồng ý để nội dung phản ánh, kiến nghị (không kèm thông tin định danh) được công "
        "khai cùng câu trả lời của cơ quan nhà nước.",
        D13 + ", Điều 11",
    ),
]

LIMITS = [
    ("access", D13 + ", Điều 14 khoản 3: cung cấp trong 72 giờ", "Điều 14 khoản 3"),
    (
        "correction",
        D13 + ", Điều 15 khoản 2: không chỉnh sửa được thì thông báo sau 72 giờ",
        "Điều 15 khoản 2",
    ),
    ("deletion", D13 + ", Điều 16 khoản 5: xóa trong 72 giờ", "Điều 16 khoản 5"),
    ("restriction", D13 + ", Điều 9 khoản 6 điểm b: hạn chế trong 72 giờ", "Điều 9 khoản 6"),
    ("objection", D13 + ", Điều 9 khoản 8 điểm b: thực hiện trong 72 giờ", "Điều 9 khoản 8"),
    (
        "withdrawal",
        D13 + ", Điều 12: không nêu số giờ; áp dụng 72 giờ như các quyền khác (chưa xác nhận)",
        "Điều 12",
    ),
]


def seed(apps, schema_editor):
    Purpose = apps.get_model("privacy", "ConsentPurpose")
    Limit = apps.get_model("privacy", "RequestTimeLimit")
    for order, (code, name, text, basis) in enumerate(PURPOSES, start=1):
        Purpose.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "notice_text": text,
                "notice_version": "2026.1",
                "legal_basis": basis,
                "order": order,
            },
        )
    for kind, source, article in LIMITS:
        Limit.objects.update_or_create(
            kind=kind,
            valid_from=datetime.date(2023, 7, 1),
            defaults={
                "ack_working_days": 2,
                "ack_source": ACK,
                "response_amount": 72,
                "response_unit": "hours",
                "response_source": source,
                "confirmed": False,
            },
        )
        Limit.objects.update_or_create(
            kind=kind,
            valid_from=datetime.date(2026, 1, 1),
            defaults={
                "ack_working_days": 2,
                "ack_source": ACK,
                "response_amount": 72,
                "response_unit": "hours",
                "response_source": LAW91.format(article=article),
                "confirmed": False,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
