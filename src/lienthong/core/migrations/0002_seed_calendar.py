"""Seed the working-day calendar, so a fresh installation computes deadlines from day one.

Uses the historical models and no audit entry (the audit tables may differ from the code at
this point of the migration graph). Undoing it leaves the rows: they may have been edited.
"""

from typing import Any

from django.db import migrations


def seed_calendar(apps: Any, schema_editor: Any) -> None:
    from lienthong.core.calendar_seed import default_year_range
    from lienthong.core.calendar_seed import seed_calendar as seed

    first, last = default_year_range()
    seed(
        from_year=first,
        to_year=last,
        holiday_model=apps.get_model("core", "Holiday"),
        saturday_model=apps.get_model("core", "WorkingSaturday"),
        audit=False,
    )


class Migration(migrations.Migration):
    # After the audit triggers (0003, another area): keeps the graph linear; see the report.
    dependencies = [("core", "0003_audit_append_only")]

    operations = [migrations.RunPython(seed_calendar, migrations.RunPython.noop, elidable=False)]
