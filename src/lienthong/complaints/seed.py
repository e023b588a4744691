"""The statutory defaults: the time-limit rules and the resolution process.

Migration 0002 writes them on a new installation (it keeps its own copy, as migrations do).
This module writes them again whenever they are missing — the tables emptied by `flush`, as
test runs between transactional tests do, or every rule deleted in the admin — so that a case
is never refused for want of a rule the law sets. Rules edited in the admin are never touched:
only an empty table, or a missing process, is filled.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction

from lienthong.complaints.models import TimeLimitRule
from lienthong.workflow.models import ProcessStep, ProcessTemplate

C, W = "calendar", "working"
LK = "Luật Khiếu nại 02/2011/QH13"
LT = "Luật Tố cáo 25/2018/QH14"
LC = "Luật Tiếp công dân 42/2013/QH13"
RULES = [
    ("complaint", "first", "file", "normal", False, 90, C, 1, f"Điều 9 {LK}"),
    ("complaint", "first", "accept", "normal", False, 10, C, 1, f"Điều 27 {LK}"),
    ("complaint", "first", "resolve", "normal", False, 30, C, 1, f"Điều 28 {LK}"),
    ("complaint", "first", "resolve", "complex", False, 45, C, 1, f"Điều 28 {LK}"),
    ("complaint", "first", "resolve", "normal", True, 45, C, 1, f"Điều 28 {LK}"),
    ("complaint", "first", "resolve", "complex", True, 60, C, 1, f"Điều 28 {LK}"),
    ("complaint", "second", "file", "normal", False, 30, C, 1, f"Điều 33 {LK}"),
    ("complaint", "second", "file", "normal", True, 45, C, 1, f"Điều 33 {LK}"),
    ("complaint", "second", "accept", "normal", False, 10, C, 1, f"Điều 36 {LK}"),
    ("complaint", "second", "resolve", "normal", False, 45, C, 1, f"Điều 37 {LK}"),
    ("complaint", "second", "resolve", "complex", False, 60, C, 1, f"Điều 37 {LK}"),
    ("complaint", "second", "resolve", "normal", True, 60, C, 1, f"Điều 37 {LK}"),
    ("complaint", "second", "resolve", "complex", True, 70, C, 1, f"Điều 37 {LK}"),
    ("complaint", "disciplinary", "file", "normal", False, 15, C, 1, f"Điều 48 {LK}"),
    ("complaint", "disciplinary", "accept", "normal", False, 10, C, 1, f"Điều 50 {LK}"),
    ("complaint", "disciplinary", "resolve", "normal", False, 30, C, 1, f"Điều 50 {LK}"),
    ("complaint", "disciplinary", "resolve", "complex", False, 45, C, 1, f"Điều 50 {LK}"),
    ("denunciation", "single", "accept", "normal", False, 7, W, 1, f"Điều 24 khoản 1 {LT}"),
    ("denunciation", "single", "accept", "complex", False, 10, W, 1, f"Điều 24 khoản 1 {LT}"),
    ("denunciation", "single", "forward", "normal", False, 5, W, 1, f"Điều 24 khoản 2 {LT}"),
    ("denunciation", "single", "resolve", "normal", False, 30, C, 1, f"Điều 30 khoản 1 {LT}"),
    ("denunciation", "single", "extend", "complex", False, 30, C, 1, f"Điều 30 khoản 2 {LT}"),
    ("denunciation", "single", "extend", "very_complex", False, 30, C, 2, f"Điều 30 khoản 3 {LT}"),
    ("petition", "single", "accept", "normal", False, 10, W, 1, f"Điều 28 {LC}"),
    ("petition", "single", "resolve", "normal", False, 10, W, 1, f"Điều 28 {LC}"),
]
PROCESS_CODE = "complaints-resolution"
STEPS = [
    ("Giao xác minh", "leader", Decimal(10)),
    ("Xác minh nội dung", "specialist", Decimal(70)),
    ("Kết luận, quyết định giải quyết", "leader", Decimal(20)),
]


def ensure_rules() -> bool:
    """Write the default rules when the table is empty; whether it wrote them."""
    if TimeLimitRule.objects.exists():
        return False
    try:
        with transaction.atomic():
            TimeLimitRule.objects.bulk_create(
                TimeLimitRule(
                    kind=row[0],
                    stage=row[1],
                    phase=row[2],
                    complexity=row[3],
                    remote=row[4],
                    days=row[5],
                    day_kind=row[6],
                    max_times=row[7],
                    article=row[8],
                )
                for row in RULES
            )
    except IntegrityError:
        return False  # written meanwhile by another process
    return True


def ensure_process() -> ProcessTemplate:
    """The resolution process, created with its default steps when missing."""
    template = ProcessTemplate.objects.filter(code=PROCESS_CODE).first()
    if template is not None:
        return template
    with transaction.atomic():
        template, created = ProcessTemplate.objects.get_or_create(
            code=PROCESS_CODE,
            defaults={
                "name": "Giải quyết khiếu nại, tố cáo, kiến nghị",
                "module": "complaints",
                "description": "Giao xác minh → xác minh → kết luận, quyết định.",
            },
        )
        if created:
            for order, (name, role, share) in enumerate(STEPS, start=1):
                ProcessStep.objects.create(
                    template=template, order=order, name=name, role=role, time_share=share
                )
    return template
