"""The demo news and the flush command."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from lienthong.core.testing import make_user
from lienthong.portal import demo
from lienthong.portal.counters import get_store
from lienthong.portal.models import Article, Category, DailySalt
from lienthong.portal.tests.conftest import published

pytestmark = pytest.mark.django_db


def test_demo_news_is_seeded_once() -> None:
    make_user("admin", kind="official", is_superuser=True, is_staff=True)

    lines = demo.seed_demo()
    again = demo.seed_demo()

    assert lines == ["Cổng thông tin: 48 tin bài đã đăng, 2 tin hẹn giờ đăng, 4 chuyên mục."]
    assert again == []
    assert Article.objects.count() == 50
    assert Article.objects.live().count() == 48
    assert Category.objects.count() == 4


def test_flush_command_reports_what_it_moved_and_forgets_old_salts(
    redis_prefix: str, editor: Any, category: Any
) -> None:
    import datetime

    article = published(editor, category, "Tin cho lệnh ghi sổ")
    get_store().record("khach-1", article.pk)
    get_store().record("khach-2", article.pk)
    DailySalt.objects.create(day=datetime.date(2020, 1, 1), salt="cu")
    out = StringIO()

    call_command("cong", "flush-counters", stdout=out)

    assert out.getvalue() == "Đã ghi 2 lượt xem, 2 lượt truy cập (1 lô).\n"
    assert Article.objects.get(pk=article.pk).view_count == 2
    assert not DailySalt.objects.filter(day=datetime.date(2020, 1, 1)).exists()
