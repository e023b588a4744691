"""Helpers of the catalogue tests: the real procedures file, small records, a committed load.

Loading the 113 real procedures takes seconds; tests that only read them share one load per
class (`committed_catalogue`), committed before and removed after, together with the audit
entries, events and search entries it wrote, so the next test starts from an empty catalogue.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from django.conf import settings
from django.db import transaction

from lienthong.core.audit import append_only_guard_disabled, head_state
from lienthong.core.context import acting
from lienthong.core.models import AuditChainHead, AuditEntry
from lienthong.exchange.models import OutboxEvent
from lienthong.onestop import catalogue
from lienthong.onestop.models import Field, Procedure
from lienthong.search.models import SearchEntry
from lienthong.workflow.models import ProcessTemplate


@cache
def _real_text() -> str:
    path = settings.SHARED_DIR / "data" / "procedures" / "procedures.json"
    return path.read_text(encoding="utf-8")


def real_records() -> list[dict[str, Any]]:
    """A fresh copy of the 113 records of ../shared/data/procedures/procedures.json."""
    records: list[dict[str, Any]] = json.loads(_real_text())
    return records


def real_record(code: str) -> dict[str, Any]:
    """One record of the real file, by code."""
    return next(r for r in real_records() if r["code"] == code)


def portal_record(**overrides: Any) -> dict[str, Any]:
    """A small, complete record in the portal's shape (procedures.json)."""
    record: dict[str, Any] = {
        "code": "1.000001",
        "name": "Thủ tục thử nghiệm",
        "field": "Lĩnh vực thử",
        "level": ["Cấp xã"],
        "agency": "Ủy ban nhân dân cấp xã",
        "competent_authority": "Chủ tịch Ủy ban nhân dân cấp xã",
        "time_limit": {"value": 3, "unit": "Ngày làm việc"},
        "fee": {"amount_vnd": 50000, "text": "50.000 đồng"},
        "channels": [
            {
                "channel": "Trực tiếp",
                "time_limit": {"value": 3, "unit": "Ngày làm việc"},
                "fee_and_description_text": "50.000 đồng",
            }
        ],
        "components": [
            {
                "name": "Tờ khai",
                "originals": 1,
                "copies": 0,
                "form_template": "Mẫu 01.docx",
                "group": None,
            },
            {
                "name": "Giấy tờ tùy thân",
                "originals": 0,
                "copies": 1,
                "form_template": None,
                "group": None,
            },
        ],
        "legal_basis": ["123/2015/NĐ-CP"],
        "legal_basis_text": "Nghị định 123/2015/NĐ-CP",
        "online_level": None,
        "applicant_types": "Công dân Việt Nam",
        "result_text": "Giấy xác nhận",
        "publishing_decision": "1/QĐ-BTP",
        "procedure_type": "Loại khác",
        "source": {"original_url": "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/thu"},
    }
    record.update(copy.deepcopy(overrides))
    return record


def import_real(**kwargs: Any) -> catalogue.ImportReport:
    """Import the real file as the platform (no user)."""
    with acting(via="test"):
        return catalogue.import_procedures(real_records(), source="procedures.json", **kwargs)


def export_without_time(data: dict[str, Any]) -> dict[str, Any]:
    """An export without its timestamp, for comparing two exports."""
    return {key: value for key, value in data.items() if key != "exported_at"}


@contextmanager
def committed_catalogue(django_db_blocker: Any) -> Iterator[catalogue.ImportReport]:
    """Commit an import of the real file for the block; remove everything it wrote after."""
    with django_db_blocker.unblock():
        count, last_hash = head_state()
        last_event = OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        report = import_real()
    try:
        yield report
    finally:
        with django_db_blocker.unblock():
            with transaction.atomic():
                for procedure in Procedure.objects.all():
                    SearchEntry.objects.filter(object_id=str(procedure.pk)).filter(
                        content_type__model="procedure"
                    ).delete()
                Procedure.objects.all().delete()
                Field.objects.all().delete()
                ProcessTemplate.objects.filter(module=catalogue.PROCESS_MODULE).delete()
                OutboxEvent.objects.filter(pk__gt=last_event).delete()
            with append_only_guard_disabled():
                AuditEntry.objects.filter(seq__gt=count).delete()
                if count == 0:
                    AuditChainHead.objects.filter(pk=1).delete()
                else:
                    AuditChainHead.objects.filter(pk=1).update(count=count, last_hash=last_hash)
