"""The demo seed loads the real corpus from the shared data folder, once."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

from lienthong.accounts.models import Role, User
from lienthong.core.context import acting
from lienthong.core.seed import app_demo_seeders
from lienthong.core.testing import make_org_unit, make_user
from lienthong.registries.legal import demo
from lienthong.registries.legal.models import DocumentStatus, LegalDocument
from lienthong.registries.legal.tests.conftest import copy_corpus

pytestmark = pytest.mark.django_db


def test_the_seed_is_found_by_the_platform_seed() -> None:
    assert ("legal", demo.seed_demo) in app_demo_seeders()


def test_the_seed_loads_the_corpus_for_the_justice_department_once(tmp_path: Path) -> None:
    justice = make_org_unit("Sở Tư pháp tỉnh Bình Dương", code=demo.OWNER_CODE)
    keeper = make_user(demo.EDITOR_USERNAME, roles=[(Role.REGISTRY_OWNER, make_org_unit())])
    make_user("admin", is_superuser=True, kind=User.Kind.OFFICIAL)
    shared = tmp_path / "shared"
    copy_corpus(shared / "data" / "legal", ["02-2011-qh13", "42-2013-qh13"])
    with override_settings(SHARED_DIR=shared), acting(via="lienthong seed"):
        first = demo.seed_demo()
        second = demo.seed_demo()
    assert first[0].startswith("Văn bản QPPL: 2 tệp: thêm 2")
    assert "quanlycsdl được giao quản lý dữ liệu văn bản của Sở Tư pháp" in first[1]
    assert second == [
        "Văn bản QPPL: 2 tệp: thêm 0, cập nhật 0, không đổi 2, bỏ qua 0 văn bản đã xóa, 0 tệp lỗi."
    ]
    assert set(LegalDocument.objects.values_list("owner", flat=True)) == {justice.pk}
    assert keeper.has_role(Role.REGISTRY_OWNER, justice)


def test_the_whole_shared_corpus_seeds_in_one_run() -> None:
    with acting(via="lienthong seed"):
        lines = demo.seed_demo()
    assert lines[0].startswith("Văn bản QPPL: 76 tệp: thêm 76")
    assert LegalDocument.objects.count() == 76
    # Luật Bảo hiểm xã hội 2014 was replaced by 41/2024/QH15, in force since 2025-07-01;
    # the Labour Code, which that law also names, lives on.
    assert LegalDocument.objects.get(number="58/2014/QH13").status == DocumentStatus.EXPIRED
    assert LegalDocument.objects.get(number="45/2019/QH14").status == DocumentStatus.IN_FORCE


def test_without_the_shared_folder_the_seed_says_so(tmp_path: Path) -> None:
    with override_settings(SHARED_DIR=tmp_path):
        lines = demo.seed_demo()
    assert len(lines) == 1 and "không có thư mục" in lines[0]
    assert not LegalDocument.objects.exists()
