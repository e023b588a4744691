"""Demo data: documents registered through the services, some assigned, idempotent."""

from __future__ import annotations

from typing import Any

import pytest

from lienthong.core.testing import make_org_unit
from lienthong.documents import demo
from lienthong.documents.models import DocumentIndex, IncomingDocument

pytestmark = pytest.mark.django_db


def test_demo_documents_are_registered_once(django_user_model: Any) -> None:
    agency = make_org_unit("UBND thử")
    make_org_unit("Văn phòng", parent=agency, is_agency=False, kind="division")
    make_org_unit("Phòng Tư pháp", parent=agency, is_agency=False, kind="division")
    django_user_model.objects.create_superuser("admin", password="x-demo-12345", kind="official")
    lines = demo.seed_demo(count=12)
    assert lines[-1] == "Văn bản: 12 văn bản đến (6 đã phân công, 2 đã xong)."
    numbers = list(
        IncomingDocument.objects.order_by("arrival_number").values_list("arrival_number", flat=True)
    )
    assert numbers == list(range(1, 13))
    assert DocumentIndex.objects.count() == 12
    assert demo.seed_demo(count=12) == ["Văn bản: dữ liệu demo đã có."]
    assert IncomingDocument.objects.count() == 12
