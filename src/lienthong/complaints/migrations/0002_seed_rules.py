"""Seed the statutory time limits.

The rules are copied here (from `complaints.seed.RULES`), not imported, so that later edits of
the defaults do not change what this migration did; administrators edit the rows in the admin.
The resolution process is created on first use (`complaints.seed.ensure_process`).
"""

from django.db import migrations

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


def seed(apps, schema_editor):
    Rule = apps.get_model("complaints", "TimeLimitRule")
    for kind, stage, phase, complexity, remote, days, day_kind, max_times, article in RULES:
        Rule.objects.update_or_create(
            kind=kind,
            stage=stage,
            phase=phase,
            complexity=complexity,
            remote=remote,
            defaults={"days": days, "day_kind": day_kind, "max_times": max_times, "article": article},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
