"""Outbox events: time-ordered ids, and one plain index on `type` instead of `db_index`.

- `event_id` defaults to a UUIDv7 (`new_event_id`): new ids append at the right edge of the
  unique index instead of a random leaf. A Python default: nothing changes in the database.
- `type`: `db_index=True` on a CharField is two indexes on PostgreSQL (the second for LIKE
  patterns, which nothing uses); one plain index serves the admin's filter.

Why: docs/decisions/0012-lean-audit-indexes.md (measured with bench/bench_workflow.py). The
old index is dropped by name, so SQLite does not rebuild the table for it.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

import lienthong.exchange.models


def drop_type_index(apps: Any, schema_editor: Any) -> None:
    """Drop the index `db_index=True` made on `type` (two on PostgreSQL)."""
    schema_editor.execute('DROP INDEX IF EXISTS "exchange_outboxevent_type_b3e3455b"', params=None)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'DROP INDEX IF EXISTS "exchange_outboxevent_type_b3e3455b_like"', params=None
        )


def create_type_index(apps: Any, schema_editor: Any) -> None:
    """Put back what `db_index=True` on `type` made (reverse of `drop_type_index`)."""
    schema_editor.execute(
        'CREATE INDEX "exchange_outboxevent_type_b3e3455b" ON "exchange_outboxevent" ("type")',
        params=None,
    )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'CREATE INDEX "exchange_outboxevent_type_b3e3455b_like" ON "exchange_outboxevent" '
            '("type" varchar_pattern_ops)',
            params=None,
        )


class Migration(migrations.Migration):
    dependencies = [("exchange", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="outboxevent",
                    name="event_id",
                    field=models.UUIDField(
                        default=lienthong.exchange.models.new_event_id,
                        editable=False,
                        unique=True,
                        verbose_name="mã sự kiện",
                    ),
                ),
                migrations.AlterField(
                    model_name="outboxevent",
                    name="type",
                    field=models.CharField(max_length=120, verbose_name="loại"),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_type_index, create_type_index, elidable=False),
            ],
        ),
        migrations.AddIndex(
            model_name="outboxevent",
            index=models.Index(fields=["type"], name="exchange_event_type_idx"),
        ),
    ]
