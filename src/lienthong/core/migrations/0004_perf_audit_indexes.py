"""Fewer indexes on the audit log: one page less written per entry, two on PostgreSQL.

- `hash` loses its UNIQUE index (and, on PostgreSQL, the LIKE-pattern index Django adds to a
  unique CharField): nothing looks a row up by hash, each hash covers its row's unique `seq`,
  and the triggers of 0003 still link every inserted row to the head.
- `action` keeps one plain index instead of `db_index` (which on PostgreSQL is two indexes).

Why: docs/decisions/0012-lean-audit-indexes.md (measured with bench/bench_workflow.py).

On SQLite, dropping a UNIQUE constraint rebuilds the table (create, copy, drop, rename), which
loses its triggers; the rename would also trip over the head's trigger that reads the table.
So the triggers of 0003 are dropped first and installed again afterwards, from 0003's own SQL
(a migration never changes once applied, so importing its statements keeps them exact).
"""

from __future__ import annotations

import importlib
from typing import Any

from django.db import migrations, models

_GUARDS = importlib.import_module("lienthong.core.migrations.0003_audit_append_only")


def drop_sqlite_guards(apps: Any, schema_editor: Any) -> None:
    """Drop the SQLite triggers for the table rebuild (PostgreSQL keeps its own)."""
    if schema_editor.connection.vendor == "sqlite":
        for sql in _GUARDS.SQLITE_REMOVE:
            schema_editor.execute(sql, params=None)


def install_sqlite_guards(apps: Any, schema_editor: Any) -> None:
    """Install the SQLite triggers again on the rebuilt table."""
    if schema_editor.connection.vendor == "sqlite":
        for sql in _GUARDS.SQLITE_INSTALL:
            schema_editor.execute(sql, params=None)


def drop_action_index(apps: Any, schema_editor: Any) -> None:
    """Drop the index `db_index=True` made on `action` (two on PostgreSQL)."""
    schema_editor.execute('DROP INDEX IF EXISTS "core_auditentry_action_6ad0fad5"', params=None)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'DROP INDEX IF EXISTS "core_auditentry_action_6ad0fad5_like"', params=None
        )


def create_action_index(apps: Any, schema_editor: Any) -> None:
    """Put back what `db_index=True` on `action` made (reverse of `drop_action_index`)."""
    schema_editor.execute(
        'CREATE INDEX "core_auditentry_action_6ad0fad5" ON "core_auditentry" ("action")',
        params=None,
    )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'CREATE INDEX "core_auditentry_action_6ad0fad5_like" ON "core_auditentry" '
            '("action" varchar_pattern_ops)',
            params=None,
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0002_seed_calendar")]

    operations = [
        migrations.RunPython(drop_sqlite_guards, install_sqlite_guards, elidable=False),
        # The old index by its name (and PostgreSQL's LIKE twin): SQLite would otherwise
        # rebuild the whole table once more just to drop an index.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditentry",
                    name="action",
                    field=models.CharField(max_length=100, verbose_name="hành động"),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_action_index, create_action_index, elidable=False),
            ],
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(max_length=64),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["action"], name="core_audit_action_idx"),
        ),
        migrations.RunPython(install_sqlite_guards, drop_sqlite_guards, elidable=False),
    ]
