"""Make the audit log append-only in the database itself.

Triggers reject UPDATE, DELETE (and, on PostgreSQL, TRUNCATE) of audit rows, an INSERT whose
seq and prev_hash do not extend the chain held by the head row, and any change of the head
row other than moving forward by exactly one linked row. Someone with the rights to drop the
triggers can still change rows; the hash chain (`lienthong audit verify`) finds that.

A later migration that alters these tables on SQLite may rebuild them (create, copy, drop,
rename), which loses the triggers: such a migration must install them again.
`lienthong audit verify` warns when any is missing (`core.audit.missing_guards`).

The SQL is written out here rather than imported, so this migration stays what it was when
applied; `core.audit.append_only_guard_disabled` lifts whatever triggers exist, by name.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

GENESIS = "0" * 64

SQLITE_INSTALL = [
    """
    CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
    BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only: UPDATE rejected'); END
    """,
    """
    CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
    BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only: DELETE rejected'); END
    """,
    f"""
    CREATE TRIGGER core_auditentry_extends_chain BEFORE INSERT ON core_auditentry
    WHEN NEW.seq IS NOT (
            SELECT COALESCE(MAX(h."count"), 0) + 1 FROM core_auditchainhead h WHERE h.id = 1)
      OR NEW.prev_hash IS NOT (
            SELECT COALESCE(MAX(h.last_hash), '{GENESIS}') FROM core_auditchainhead h
            WHERE h.id = 1)
    BEGIN SELECT RAISE(ABORT, 'core_auditentry: INSERT does not extend the chain'); END
    """,
    """
    CREATE TRIGGER core_auditchainhead_no_delete BEFORE DELETE ON core_auditchainhead
    BEGIN SELECT RAISE(ABORT, 'core_auditchainhead: DELETE rejected'); END
    """,
    """
    CREATE TRIGGER core_auditchainhead_forward_only BEFORE UPDATE ON core_auditchainhead
    WHEN NEW.id IS NOT OLD.id
      OR NEW."count" IS NOT OLD."count" + 1
      OR NEW.last_hash IS NOT (SELECT e.hash FROM core_auditentry e WHERE e.seq = NEW."count")
    BEGIN SELECT RAISE(ABORT,
        'core_auditchainhead may only move forward by one linked row'); END
    """,
]

SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete",
    "DROP TRIGGER IF EXISTS core_auditentry_extends_chain",
    "DROP TRIGGER IF EXISTS core_auditchainhead_no_delete",
    "DROP TRIGGER IF EXISTS core_auditchainhead_forward_only",
]

POSTGRES_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION core_auditentry_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        head_count bigint;
        head_hash varchar(64);
    BEGIN
        IF TG_OP = 'INSERT' THEN
            SELECT h."count", h.last_hash INTO head_count, head_hash
              FROM core_auditchainhead h WHERE h.id = 1;
            IF NEW.seq IS DISTINCT FROM COALESCE(head_count, 0) + 1
               OR NEW.prev_hash IS DISTINCT FROM COALESCE(head_hash, '{GENESIS}') THEN
                RAISE EXCEPTION 'core_auditentry: INSERT does not extend the chain (seq %)',
                    NEW.seq USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'core_auditentry is append-only: % rejected', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$
    """,
    """
    CREATE TRIGGER core_auditentry_append_only
    BEFORE INSERT OR UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_guard()
    """,
    """
    CREATE TRIGGER core_auditentry_no_truncate
    BEFORE TRUNCATE ON core_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_guard()
    """,
    """
    CREATE OR REPLACE FUNCTION core_auditchainhead_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            IF NEW.id IS DISTINCT FROM OLD.id
               OR NEW."count" IS DISTINCT FROM OLD."count" + 1
               OR NEW.last_hash IS DISTINCT FROM (
                    SELECT e.hash FROM core_auditentry e WHERE e.seq = NEW."count") THEN
                RAISE EXCEPTION 'core_auditchainhead may only move forward by one linked row'
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'core_auditchainhead: % rejected', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$
    """,
    """
    CREATE TRIGGER core_auditchainhead_guard
    BEFORE UPDATE OR DELETE ON core_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION core_auditchainhead_guard()
    """,
    """
    CREATE TRIGGER core_auditchainhead_no_truncate
    BEFORE TRUNCATE ON core_auditchainhead
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditchainhead_guard()
    """,
]

POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry",
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry",
    "DROP TRIGGER IF EXISTS core_auditchainhead_guard ON core_auditchainhead",
    "DROP TRIGGER IF EXISTS core_auditchainhead_no_truncate ON core_auditchainhead",
    "DROP FUNCTION IF EXISTS core_auditentry_guard()",
    "DROP FUNCTION IF EXISTS core_auditchainhead_guard()",
]


def _run(schema_editor: Any, statements: list[str]) -> None:
    for sql in statements:
        schema_editor.execute(sql, params=None)


def install_guards(apps: Any, schema_editor: Any) -> None:
    """Create the head row (so the first writers never race to insert it) and the triggers."""
    head_model = apps.get_model("core", "AuditChainHead")
    db = schema_editor.connection.alias
    head_model.objects.using(db).get_or_create(pk=1, defaults={"count": 0, "last_hash": GENESIS})
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_INSTALL)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_INSTALL)


def remove_guards(apps: Any, schema_editor: Any) -> None:
    """Drop the triggers (the head row stays: it describes rows that stay too)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_REMOVE)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_REMOVE)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["actor_id", "created_at"], name="core_audit_actor_idx"),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["request_id"], name="core_audit_request_idx"),
        ),
        migrations.RunPython(install_guards, remove_guards, elidable=False),
    ]
