"""Demo news of the portal: 4 categories, 48 published articles, 2 scheduled for tomorrow.

Run by `lienthong seed --demo`; written through the services as the first superuser (the
editor-in-chief of the demo). Idempotent: once there are articles, nothing is added.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.portal import services
from lienthong.portal.models import Article, Category

CATEGORIES = ("Tin tức nổi bật", "Cải cách hành chính", "Chuyển đổi số", "Thông báo")
SUBJECTS = (
    "Tỉnh triển khai dịch vụ công trực tuyến toàn trình cho {n} thủ tục",
    "Hội nghị sơ kết công tác cải cách hành chính quý {q}",
    "Hướng dẫn tra cứu hồ sơ bằng mã QR trên giấy tiếp nhận (phần {n})",
    "Thông báo lịch tiếp công dân tháng {m}",
    "Đẩy mạnh kết nối, chia sẻ dữ liệu giữa các sở, ngành (đợt {n})",
    "Kết quả chỉ số phục vụ người dân, doanh nghiệp tháng {m}",
)
BODY = (
    "<p>Ủy ban nhân dân tỉnh yêu cầu các sở, ngành và Ủy ban nhân dân cấp xã tiếp tục rà soát, "
    "đơn giản hóa thủ tục hành chính, công khai đầy đủ quy trình trên Cổng thông tin điện tử.</p>"
    "<h2>Nội dung chính</h2><ul><li>Tiếp nhận, trả kết quả đúng hẹn.</li>"
    "<li>Số hóa hồ sơ, kết quả giải quyết.</li><li>Xin lỗi người dân khi trễ hẹn.</li></ul>"
)
PUBLISHED = 48
SCHEDULED = 2


def seed_demo() -> list[str]:
    """Create the demo news once; returns the lines to print."""
    if Article.objects.exists():
        return []
    editor = (
        get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    )
    if editor is None:
        return [_("Cổng thông tin: chưa có quản trị viên, bỏ qua tin bài mẫu.")]
    categories = [
        Category.objects.filter(name=name).first()
        or services.create_category(name=name, order=i, by=editor)
        for i, name in enumerate(CATEGORIES)
    ]
    now = timezone.now()
    for i in range(PUBLISHED + SCHEDULED):
        subject = SUBJECTS[i % len(SUBJECTS)].format(n=i + 1, q=i % 4 + 1, m=i % 12 + 1)
        article = services.create_article(
            category=categories[i % len(categories)],
            title=subject,
            summary=_("Tin bài mẫu của bản demo: %(title)s.") % {"title": subject},
            body=BODY,
            author_name="Ban biên tập",
            is_featured=i < 3,
            by=editor,
        )
        services.submit_for_review(article, by=editor)
        at = now + timedelta(days=1) if i >= PUBLISHED else now - timedelta(hours=6 * i)
        services.publish_article(article, by=editor, at=at)
    return [
        _("Cổng thông tin: %(n)d tin bài đã đăng, %(s)d tin hẹn giờ đăng, %(c)d chuyên mục.")
        % {"n": PUBLISHED, "s": SCHEDULED, "c": len(categories)}
    ]
