"""Make the message log append-only in the database itself (as core migration 0003 does for
the audit log), with one difference: retention may remove old entries, but only below the
chain's checkpoint, which the purge writes first.

- entries: no UPDATE; an INSERT must extend its chain (link to the entry before it, or start
  at seq 1 on the genesis hash, or at the checkpoint) beyond the head's count; a DELETE only
  of entries below the chain's checkpoint; on PostgreSQL no TRUNCATE;
- head rows: created empty, never deleted; an UPDATE may only move the count forward to an
  entry that exists, with its hash;
- checkpoints: never deleted; written (or moved forward) only onto the hash of the entry just
  before the checkpoint's seq, so a checkpoint cannot cut the chain where it does not link.

Whoever can drop the triggers can still change rows: `lienthong exchange verify` finds that.
`core.audit.append_only_guard_disabled` lifts these triggers too (the app registers its
tables), so `flush` can empty a test database.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

GENESIS = "0" * 64
E = "exchange_log_messagelogentry"
H = "exchange_log_logchainhead"
C = "exchange_log_logcheckpoint"

SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER {E}_no_update BEFORE UPDATE ON {E}
    BEGIN SELECT RAISE(ABORT, '{E} is append-only: UPDATE rejected'); END
    """,
    f"""
    CREATE TRIGGER {E}_delete_below_checkpoint BEFORE DELETE ON {E}
    WHEN OLD.seq >= COALESCE((SELECT c.seq FROM {C} c WHERE c.chain = OLD.chain), 1)
    BEGIN SELECT RAISE(ABORT, '{E}: DELETE only below the chain checkpoint'); END
    """,
    f"""
    CREATE TRIGGER {E}_extends_chain BEFORE INSERT ON {E}
    WHEN NEW.seq <= COALESCE((SELECT h."count" FROM {H} h WHERE h.chain = NEW.chain), 0)
      OR NOT (
           NEW.prev_hash IS (SELECT e.hash FROM {E} e
                             WHERE e.chain = NEW.chain AND e.seq = NEW.seq - 1)
        OR (NEW.seq = 1 AND NEW.prev_hash = '{GENESIS}')
        OR EXISTS (SELECT 1 FROM {C} c WHERE c.chain = NEW.chain AND c.seq = NEW.seq
                   AND c.prev_hash = NEW.prev_hash))
    BEGIN SELECT RAISE(ABORT, '{E}: INSERT does not extend the chain'); END
    """,
    f"""
    CREATE TRIGGER {H}_no_delete BEFORE DELETE ON {H}
    BEGIN SELECT RAISE(ABORT, '{H}: DELETE rejected'); END
    """,
    f"""
    CREATE TRIGGER {H}_starts_empty BEFORE INSERT ON {H}
    WHEN NEW."count" IS NOT 0 OR NEW.last_hash IS NOT '{GENESIS}'
    BEGIN SELECT RAISE(ABORT, '{H}: a chain starts empty'); END
    """,
    f"""
    CREATE TRIGGER {H}_forward_only BEFORE UPDATE ON {H}
    WHEN NEW.chain IS NOT OLD.chain
      OR NEW."count" < OLD."count"
      OR NEW.last_hash IS NOT (SELECT e.hash FROM {E} e
                               WHERE e.chain = NEW.chain AND e.seq = NEW."count")
    BEGIN SELECT RAISE(ABORT, '{H} may only move forward to an existing entry'); END
    """,
    f"""
    CREATE TRIGGER {C}_no_delete BEFORE DELETE ON {C}
    BEGIN SELECT RAISE(ABORT, '{C}: DELETE rejected'); END
    """,
    f"""
    CREATE TRIGGER {C}_links_insert BEFORE INSERT ON {C}
    WHEN NEW.prev_hash IS NOT (SELECT e.hash FROM {E} e
                               WHERE e.chain = NEW.chain AND e.seq = NEW.seq - 1)
    BEGIN SELECT RAISE(ABORT, '{C}: a checkpoint must link to the entry before it'); END
    """,
    f"""
    CREATE TRIGGER {C}_links_update BEFORE UPDATE ON {C}
    WHEN NEW.chain IS NOT OLD.chain
      OR NEW.seq < OLD.seq
      OR NEW.prev_hash IS NOT (SELECT e.hash FROM {E} e
                               WHERE e.chain = NEW.chain AND e.seq = NEW.seq - 1)
    BEGIN SELECT RAISE(ABORT, '{C}: a checkpoint only moves forward, linked'); END
    """,
]

SQLITE_TRIGGERS = [
    f"{E}_no_update",
    f"{E}_delete_below_checkpoint",
    f"{E}_extends_chain",
    f"{H}_no_delete",
    f"{H}_starts_empty",
    f"{H}_forward_only",
    f"{C}_no_delete",
    f"{C}_links_insert",
    f"{C}_links_update",
]

POSTGRES_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION {E}_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        head_count bigint;
        checkpoint_seq bigint;
    BEGIN
        IF TG_OP = 'INSERT' THEN
            SELECT h."count" INTO head_count FROM {H} h WHERE h.chain = NEW.chain;
            IF NEW.seq <= COALESCE(head_count, 0) OR NOT (
                   NEW.prev_hash IS NOT DISTINCT FROM (
                       SELECT e.hash FROM {E} e
                        WHERE e.chain = NEW.chain AND e.seq = NEW.seq - 1)
                OR (NEW.seq = 1 AND NEW.prev_hash = '{GENESIS}')
                OR EXISTS (SELECT 1 FROM {C} c WHERE c.chain = NEW.chain
                           AND c.seq = NEW.seq AND c.prev_hash = NEW.prev_hash)) THEN
                RAISE EXCEPTION '{E}: INSERT does not extend the chain (%, seq %)',
                    NEW.chain, NEW.seq USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END IF;
        IF TG_OP = 'DELETE' THEN
            SELECT c.seq INTO checkpoint_seq FROM {C} c WHERE c.chain = OLD.chain;
            IF OLD.seq < COALESCE(checkpoint_seq, 1) THEN
                RETURN OLD;
            END IF;
            RAISE EXCEPTION '{E}: DELETE only below the chain checkpoint'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RAISE EXCEPTION '{E} is append-only: % rejected', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$
    """,
    f"""
    CREATE TRIGGER {E}_append_only BEFORE INSERT OR UPDATE OR DELETE ON {E}
    FOR EACH ROW EXECUTE FUNCTION {E}_guard()
    """,
    f"""
    CREATE TRIGGER {E}_no_truncate BEFORE TRUNCATE ON {E}
    FOR EACH STATEMENT EXECUTE FUNCTION {E}_guard()
    """,
    f"""
    CREATE OR REPLACE FUNCTION {H}_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF NEW."count" <> 0 OR NEW.last_hash <> '{GENESIS}' THEN
                RAISE EXCEPTION '{H}: a chain starts empty'
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END IF;
        IF TG_OP = 'UPDATE' THEN
            IF NEW.chain IS DISTINCT FROM OLD.chain
               OR NEW."count" < OLD."count"
               OR NEW.last_hash IS DISTINCT FROM (
                    SELECT e.hash FROM {E} e WHERE e.chain = NEW.chain AND e.seq = NEW."count")
            THEN
                RAISE EXCEPTION '{H} may only move forward to an existing entry'
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{H}: % rejected', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$
    """,
    f"""
    CREATE TRIGGER {H}_guard BEFORE INSERT OR UPDATE OR DELETE ON {H}
    FOR EACH ROW EXECUTE FUNCTION {H}_guard()
    """,
    f"""
    CREATE TRIGGER {H}_no_truncate BEFORE TRUNCATE ON {H}
    FOR EACH STATEMENT EXECUTE FUNCTION {H}_guard()
    """,
    f"""
    CREATE OR REPLACE FUNCTION {C}_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            IF (TG_OP = 'UPDATE' AND (NEW.chain IS DISTINCT FROM OLD.chain
                                      OR NEW.seq < OLD.seq))
               OR NEW.prev_hash IS DISTINCT FROM (
                    SELECT e.hash FROM {E} e WHERE e.chain = NEW.chain AND e.seq = NEW.seq - 1)
            THEN
                RAISE EXCEPTION '{C}: a checkpoint only moves forward, linked'
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{C}: % rejected', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$
    """,
    f"""
    CREATE TRIGGER {C}_guard BEFORE INSERT OR UPDATE OR DELETE ON {C}
    FOR EACH ROW EXECUTE FUNCTION {C}_guard()
    """,
    f"""
    CREATE TRIGGER {C}_no_truncate BEFORE TRUNCATE ON {C}
    FOR EACH STATEMENT EXECUTE FUNCTION {C}_guard()
    """,
]

POSTGRES_TRIGGERS = [
    f"{E}_append_only",
    f"{E}_no_truncate",
    f"{H}_guard",
    f"{H}_no_truncate",
    f"{C}_guard",
    f"{C}_no_truncate",
]

POSTGRES_REMOVE = [
    f"DROP TRIGGER IF EXISTS {E}_append_only ON {E}",
    f"DROP TRIGGER IF EXISTS {E}_no_truncate ON {E}",
    f"DROP TRIGGER IF EXISTS {H}_guard ON {H}",
    f"DROP TRIGGER IF EXISTS {H}_no_truncate ON {H}",
    f"DROP TRIGGER IF EXISTS {C}_guard ON {C}",
    f"DROP TRIGGER IF EXISTS {C}_no_truncate ON {C}",
    f"DROP FUNCTION IF EXISTS {E}_guard()",
    f"DROP FUNCTION IF EXISTS {H}_guard()",
    f"DROP FUNCTION IF EXISTS {C}_guard()",
]


def _run(schema_editor: Any, statements: list[str]) -> None:
    for sql in statements:
        schema_editor.execute(sql, params=None)


def install_guards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_INSTALL)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_INSTALL)


def remove_guards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS])
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_REMOVE)


class Migration(migrations.Migration):
    dependencies = [("exchange_log", "0001_initial")]

    operations = [migrations.RunPython(install_guards, remove_guards, elidable=False)]
